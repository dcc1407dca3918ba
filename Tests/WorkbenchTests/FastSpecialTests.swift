// The fast tables against the slow accurate functions they were fitted from (GSL, QAG at 50·ε) and against
// 40-digit mpmath values. The bounds include the references' own errors (GSL's erfc-based erfcx ~6e-16,
// Dawson ~2e-16); J = Ē(h) - Ē(l) loses up to Ē(h)/J ≈ 70 ulps where that ratio is largest.
import Foundation
import GSLSupport
import SiegertNumerics
import Testing

struct FastSpecialTests {
    /// (x, erfcx, D, Ē, Q) from mpmath at 40 digits, x the double nearest the literal.
    static let mpmath: [(Double, Double, Double, Double, Double)] = [
        (1e-6, 0.99999887162183290374, 9.9999999999933328808e-7, 9.9999943581074974014e-7, 1.0000005641889168355e-6),
        (0.013, 0.98549843229798156237, 0.012998535432340018744, 0.012905378959329583293, 0.013093872730109698193),
        (0.1, 0.89645697996912663666, 0.099335992397852866591, 0.094673583306152555601, 0.10494041938301138361),
        (0.2499, 0.77042087416616855205, 0.23975115092299379223, 0.21922154193286174723, 0.27355242652720802277),
        (0.25, 0.77034654773099674392, 0.23983916356289821236, 0.21929858030385916288, 0.27366637613190111311),
        (0.5, 0.61569034419292587487, 0.42443638350202229593, 0.3913582448274258996, 0.54408265947099471747),
        (0.77, 0.49966955160947584294, 0.52705016694892995521, 0.54100175338020784488, 0.7550767279777958263),
        (1.0, 0.42758357615580700441, 0.53807950691276841914, 0.64725922516538839777, 0.83804565177863299772),
        (1.5, 0.32158541645431750235, 0.42824907108539862548, 0.83229179781595035478, 0.76877523207179610975),
        (2.0, 0.25539567631050574387, 0.30134038892379196603, 0.97536208748415602419, 0.58481639806746217428),
        (3.3, 0.1640072975729326311, 0.15978858047449505971, 1.2396659735926336298, 0.31955404893600130939),
        (5.0, 0.11070463773306862637, 0.10213407442427683544, 1.467406940340774722, 0.20426814882817440566),
        (7.25, 0.077099180351259901664, 0.069641227642170696666, 1.6742026364247369296, 0.13928245528434139333),
        (10.0, 0.056140992743822585858, 0.050253847187598528033, 1.8543905438806982026, 0.10050769437519705607),
        (12.5, 0.044992099001027920845, 0.040129248914351473114, 1.9797841597403484092, 0.080258497828702946229),
        (17.0, 0.0331304999997255367, 0.02946291653585875343, 2.1528522025590029544, 0.058925833071717506861),
        (24.5, 0.023009011874778182188, 0.020425205644381267941, 2.3587886943247801262, 0.040850411288762535883),
        (26.0, 0.021683584850562906616, 0.019245024851840634084, 2.392288499953230824, 0.038490049703681268167),
        (31.7, 0.017788936261261915398, 0.015780730464835146085, 2.5040540771783510019, 0.03156146092967029217),
        (40.0, 0.014100335983377813625, 0.012503909917843973199, 2.6352114282537756429, 0.025007819835687946399),
        (49.99, 0.011283792121856089223, 0.010004002802964263398, 2.7609621576009380985, 0.020008005605928526796),
        (50.0, 0.0112815362653237725, 0.010002001201201683031, 2.7610749842421223987, 0.020004002402403366061),
        (60.0, 0.0094018542751763885888, 0.00833449122332905114, 2.8639216770710449682, 0.01666898244665810228),
        (120.0, 0.0047014166305993579259, 0.0041668113576656185698, 3.2549587189829126758, 0.0083336227153312371396),
        (1000.0, 0.0005641893014533876542, 0.00050000025000037500094, 4.4511796670824725638, 0.0010000005000007500019),
        (1e5, 5.6418958351954680777e-6, 5.00000000025e-6, 7.0493685754484518355, 0.0000100000000005),
    ]

    @Test func tablesAgreeWith40DigitMpmath() {
        for (x, erfcx, dawson, eBar, q) in Self.mpmath {
            expectRelative(FastSpecial.erfcx(x), erfcx, 1e-15, "erfcx(\(x))")
            expectRelative(FastSpecial.dawson(x), dawson, 1e-15, "D(\(x))")
            expectRelative(FastSpecial.dawson(-x), -dawson, 1e-15, "D(-\(x))")
            expectRelative(FastSpecial.eBar(x), eBar, 1e-15, "Ebar(\(x))")
            expectRelative(FastSpecial.q(x), q, 1e-15, "Q(\(x))")
        }
    }

    @Test func erfcxDawsonQAndTheErfcxIntegralOver100000Points() throws {
        var g = SplitMix64(state: 99)
        let ws = IntegrationWorkspace()
        var worstErfcx = 0.0, worstDawson = 0.0, worstJ = 0.0, worstQ = 0.0, worstAt = (0.0, 0.0), worstX = 0.0
        for i in 0..<100_000 {
            let x = i % 2 == 0 ? Double.random(in: 0...60, using: &g) : pow(10, Double.random(in: -8...3, using: &g))
            let ex = abs(FastSpecial.erfcx(x) / Special.erfcx(x) - 1)
            if ex > worstErfcx { worstErfcx = ex; worstX = x }
            worstDawson = max(worstDawson, abs(FastSpecial.dawson(x) / GSL.dawson(x) - 1), abs(FastSpecial.dawson(-x) / GSL.dawson(-x) - 1))
            if i % 50 == 0 {
                let y = x + (Bool.random(using: &g) ? Double.random(in: 0...5, using: &g) : pow(10, Double.random(in: -10...2, using: &g)))
                let slow = try ErfcxIntegral.J(x, y, workspace: ws), fast = ErfcxIntegral.fastJ(x, y)
                let e = abs(fast / slow - 1)
                if e > worstJ { worstJ = e; worstAt = (x, y) }
                if x < 60 { worstQ = max(worstQ, abs(FastSpecial.q(x) / FastTableFit.slowQ(x, workspace: ws) - 1)) }
            }
        }
        #expect(worstErfcx <= 2e-15, "erfcx: \(worstErfcx) at \(worstX)")
        #expect(worstDawson <= 2e-15, "dawson: \(worstDawson)")
        #expect(worstQ <= 1e-15, "Q: \(worstQ)")
        #expect(worstJ <= 5e-14, "J: \(worstJ) at \(worstAt)")
        print("fast tables: erfcx \(worstErfcx), dawson \(worstDawson), Q \(worstQ), J \(worstJ) at \(worstAt)")
    }

    /// The compiled-in tables are what the generator fits today (so neither drifts from the other).
    /// WORKBENCH_WRITE_TABLES=1 rewrites Sources/CSiegertTables/siegert_tables.c instead.
    @Test func generatedTablesMatchAFreshFit() throws {
        let fresh = FastTableFit.fitAll()
        if ProcessInfo.processInfo.environment["WORKBENCH_WRITE_TABLES"] == "1" {
            let url = URL(fileURLWithPath: packageRoot).appendingPathComponent("Sources/CSiegertTables/siegert_tables.c")
            try FastTableFit.cSource(fresh).write(to: url, atomically: true, encoding: .utf8)
            print("wrote \(url.path)")
            return
        }
        for (t, table) in fresh.enumerated() {
            let compiled = FastTableFit.compiledTable(t)
            var worst = 0.0
            for k in 0..<FastTableFit.pieces {
                let n = FastTableFit.coefficientsPerPiece
                let scale = (0..<n).map { abs(table[k * n + $0]) }.reduce(0, +)
                for j in 0..<n { worst = max(worst, abs(compiled[k * n + j] - table[k * n + j]) / scale) }
            }
            #expect(worst <= 1e-16, "table \(t): compiled coefficients differ from a fresh fit by \(worst) (regenerate)")
        }
    }
}
