import WorkbenchCore
#if canImport(Glibc)
import Glibc
#endif

// The plugin probe child (PluginProbe): loads the files given and reports, before any command parsing.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == PluginProbe.command {
    exit(PluginProbe.runChild(Array(CommandLine.arguments.dropFirst(2))))
}
runMain()
