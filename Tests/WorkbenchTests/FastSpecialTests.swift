// The fast tables against the slow accurate functions they were fitted from (GSL, QAG at 50·ε).
// The bounds include the references' own errors (GSL's erfc-based erfcx ~6e-16, Dawson ~2e-16);
// J = Ē(h) - Ē(l) loses up to Ē(h)/J ≈ 70 ulps where that ratio is largest.
import Foundation
import GSLSupport
import SiegertNumerics
import Testing

struct FastSpecialTests {
    @Test func erfcxDawsonAndItsIntegralOver100000Points() throws {
        var g = SplitMix64(state: 99)
        let ws = IntegrationWorkspace()
        var worstErfcx = 0.0, worstDawson = 0.0, worstJ = 0.0, worstAt = (0.0, 0.0), worstX = 0.0
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
            }
        }
        #expect(worstErfcx <= 2e-15, "erfcx: \(worstErfcx) at \(worstX)")
        #expect(worstDawson <= 4e-15, "dawson: \(worstDawson)")
        #expect(worstJ <= 5e-14, "J: \(worstJ) at \(worstAt)")
        print("fast tables: erfcx \(worstErfcx), dawson \(worstDawson), J \(worstJ) at \(worstAt)")
    }
}
