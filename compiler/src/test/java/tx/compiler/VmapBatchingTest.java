package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tx.runtime.ir.Program;
import tx.runtime.ir.Stmt;

/**
 * vmap by batching rules ({@code compiler/.../ad/Batching.java}): a mapped function becomes one
 * program over the whole batch, not a loop over its examples. Each program here computes the same
 * values twice, once with vmap and once example by example in a loop the test writes itself, and
 * prints whether they are equal to the last bit ({@code equal}); the data is larger than the
 * simplifier folds at compile time, so the batched equations run. The IR must hold only the test's
 * own loops: the vmap made none.
 */
class VmapBatchingTest {
    /** Data of 20 examples of 5 (100 elements: more than the simplifier folds). */
    private static final String DATA = """
            X = reshape(sin(arange(100.0) * 0.37), [20, 5])
            Y = cos(arange(20.0))
            w = tensor([0.5, -0.3, 0.2, 0.1, -0.4])
            """;

    @Test
    void perExampleGradientsOfALinearModel() {
        assertBatched(DATA + """
                fn loss(w: [5], x: [5], y: []) -> [] { return (sum(w * x) - y) ** 2 }
                per = vmap(grad(loss), in_dims=(None, 0, 0))(w, X, Y)
                ref = zeros([20, 5])
                for i in range(20) { ref[i] = grad(loss)(w, X[i], Y[i]) }
                print(equal(per, ref))
                """, 1);
    }

    @Test
    void perExampleGradientsOfAnMlpWithProductsFoldedIntoOne() {
        assertBatched(DATA + """
                W1 = reshape(cos(arange(40.0) * 0.3), [8, 5])
                b1 = sin(arange(8.0))
                W2 = reshape(sin(arange(24.0) * 0.7), [3, 8])
                T = softmax(reshape(cos(arange(60.0)), [20, 3]), dim=1)
                fn mlp(W1: [8, 5], b1: [8], W2: [3, 8], x: [5], t: [3]) -> [] {
                    h = tanh(W1 @ x + b1)
                    return -sum(t * log_softmax(W2 @ h, dim=0))
                }
                g1, g2, g3 = vmap(grad(mlp, wrt=[W1, b1, W2]), in_dims=(None, None, None, 0, 0))(W1, b1, W2, X, T)
                r1 = zeros([20, 8, 5])
                r2 = zeros([20, 8])
                r3 = zeros([20, 3, 8])
                for i in range(20) {
                    a, b, c = grad(mlp, wrt=[W1, b1, W2])(W1, b1, W2, X[i], T[i])
                    r1[i] = a
                    r2[i] = b
                    r3[i] = c
                }
                print(equal(g1, r1) and equal(g2, r2) and equal(g3, r3))
                """, 1);
    }

    @Test
    void shapeOperationsAndInDimsOtherThanZero() {
        assertBatched(DATA + """
                fn shapes(a: [5], s: []) -> [2, 4] {
                    u = a[1:5]
                    v = cat((u, flip(u, [0])))
                    m = reshape(v, [2, 4])
                    t = transpose(m, 0, 1)
                    return transpose(t * s, 0, 1) + where(m > 0.1, m, -m) + cumsum(m, dim=1) + expand(unsqueeze(sum(m, dim=0), 0), [2, 4])
                }
                out = vmap(shapes)(X, Y)
                out1 = vmap(shapes, in_dims=(1, 0))(transpose(X, 0, 1), Y)
                ref = zeros([20, 2, 4])
                for i in range(20) { ref[i] = shapes(X[i], Y[i]) }
                print(equal(out, ref) and equal(out1, ref))
                """, 1);
    }

    @Test
    void anIndexOfEachExampleIsAGatherAndItsAdjointAPut() {
        // each example picks its own class (negative labels count from the end, as in Python)
        assertBatched(DATA + """
                W = reshape(cos(arange(15.0) * 0.4), [3, 5])
                labels = remainder(arange(20), 5) - 2
                fn pick(W: [3, 5], x: [5], y: []) -> [] { return -log_softmax(W @ x, dim=0)[y] * x[y] }
                g = vmap(grad(pick, wrt=[W, x]), in_dims=(None, 0, 0))(W, X, labels)
                r1 = zeros([20, 3, 5])
                r2 = zeros([20, 5])
                for i in range(20) {
                    a, c = grad(pick, wrt=[W, x])(W, X[i], labels[i])
                    r1[i] = a
                    r2[i] = c
                }
                print(equal(g[0], r1) and equal(g[1], r2))
                """, 1);
    }

    @Test
    void aRecurrenceOfEachExampleIsOneLoopOverTheBatch() {
        // the loop carries every example's state at once; its reversal reads a tape of batched rows
        assertBatched("""
                X = reshape(sin(arange(240.0) * 0.37), [20, 4, 3])
                W = reshape(cos(arange(16.0) * 0.3), [4, 4])
                U = reshape(sin(arange(12.0) * 0.5), [4, 3])
                fn rnn(W: [4, 4], U: [4, 3], xs: [4, 3]) -> [] {
                    h = zeros(4)
                    for t in range(4) {
                        h = tanh(W @ h + U @ xs[t])
                    }
                    return sum(h ** 2)
                }
                v = vmap(rnn, in_dims=(None, None, 0))(W, U, X)
                g = vmap(grad(rnn, wrt=[W, U]), in_dims=(None, None, 0))(W, U, X)
                r = zeros(20)
                rW = zeros([20, 4, 4])
                rU = zeros([20, 4, 3])
                for i in range(20) {
                    r[i] = rnn(W, U, X[i])
                    a, c = grad(rnn, wrt=[W, U])(W, U, X[i])
                    rW[i] = a
                    rU[i] = c
                }
                print(equal(v, r) and equal(g[0], rW) and equal(g[1], rU))
                """, 1);
    }

    @Test
    void factorisationsTakeTheBatchBeforeTheirMatrices() {
        assertBatched("""
                M = reshape(sin(arange(180.0) * 0.7), [20, 3, 3]) + 3.0 * eye(3)
                fn f(A: [3, 3], b: [3]) -> [] {
                    L = cholesky(A @ A.T + eye(3))
                    s, ld = slogdet(A)
                    Q, R = torch.linalg.qr(A)
                    x = solve(A, b.unsqueeze(1))
                    return det(A) + sum(inverse(A)) + sum(L) + ld + sum(Q * R) + sum(x)
                }
                bv = cos(arange(60.0)).reshape(20, 3)
                v = vmap(f)(M, bv)
                g = vmap(grad(f))(M, bv)
                r = zeros(20)
                rg = zeros([20, 3, 3])
                for i in range(20) {
                    r[i] = f(M[i], bv[i])
                    rg[i] = grad(f)(M[i], bv[i])
                }
                print(equal(v, r) and equal(g, rg))
                """, 1);
    }

    @Test
    void eighAndSvdTakeTheBatchBeforeTheirMatrices() {
        assertBatched("""
                M = reshape(sin(arange(180.0) * 0.7), [20, 3, 3]) + 3.0 * eye(3)
                fn f(A: [3, 3]) -> [] {
                    w, V = torch.linalg.eigh(A + A.T)
                    U, S, Vh = torch.linalg.svd(A)
                    return w.max() + sum(V * V * w) + sum(S) + sum(U @ Vh * A)
                }
                v = vmap(f)(M)
                g = vmap(grad(f))(M)
                r = zeros(20)
                rg = zeros([20, 3, 3])
                for i in range(20) {
                    r[i] = f(M[i])
                    rg[i] = grad(f)(M[i])
                }
                print(equal(v, r) and equal(g, rg))
                """, 1);
    }

    @Test
    void aBranchOnTheLoopCounterIsTheSameBranchForTheWholeBatch() {
        assertBatched(DATA + """
                fn f(x: [5], w: []) -> [] {
                    h = x
                    for t in range(4) {
                        if t % 2 == 0 {
                            h = tanh(h) * w
                        } else {
                            h = h * 0.5 + x
                        }
                    }
                    return sum(h ** 2)
                }
                v = vmap(f, in_dims=(0, None))(X, 1.5)
                g = vmap(grad(f), in_dims=(0, None))(X, 1.5)
                rv = zeros(20)
                rg = zeros([20, 5])
                for i in range(20) {
                    rv[i] = f(X[i], 1.5)
                    rg[i] = grad(f)(X[i], 1.5)
                }
                print(equal(v, rv) and equal(g, rg))
                """, 1);
    }

    @Test
    void convolutionsAndPoolsOfEachExampleAreOneBatchOfImages() {
        // per-example gradients of a small CNN: the weights' (conv_weight as groups of one
        // convolution), the input's (conv_input) and through a max pool; two images an example
        assertBatched("""
                X = reshape(sin(arange(1536.0) * 0.37), [6, 2, 2, 8, 8])
                w = reshape(cos(arange(72.0) * 0.5), [4, 2, 3, 3])
                w2 = reshape(cos(arange(36.0) * 0.3), [4, 1, 3, 3]) * 0.5
                Z = reshape(sin(arange(180.0) * 0.2), [6, 2, 3, 5])
                w1 = reshape(cos(arange(18.0)), [3, 3, 2])
                fn cnn(w: [4, 2, 3, 3], w2: [4, 1, 3, 3], x: [2, 2, 8, 8]) -> [] {
                    h = max_pool2d(relu(conv2d(x, w, stride=1, padding=1)), 2)
                    q = conv2d(h, w2, groups=4, dilation=1)
                    return sum(tanh(q) ** 2)
                }
                fn c1(w1: [3, 3, 2], z: [2, 3, 5]) -> [] { return sum(sin(conv1d(z, w1, padding=1)) ** 2) }
                g = vmap(grad(cnn, wrt=[w, w2, x]), in_dims=(None, None, 0))(w, w2, X)
                h = vmap(grad(c1, wrt=[w1, z]), in_dims=(None, 0))(w1, Z)
                ok = True
                for i in range(6) {
                    a, b, c = grad(cnn, wrt=[w, w2, x])(w, w2, X[i])
                    d, e = grad(c1, wrt=[w1, z])(w1, Z[i])
                    ok = ok and equal(g[0][i], a) and equal(g[1][i], b) and equal(g[2][i], c) and equal(h[0][i], d) and equal(h[1][i], e)
                }
                print(ok)
                """, 1);
    }

    @Test
    void aResultTheSameForEveryExampleIsRepeated() {
        assertBatched(DATA + """
                fn constant(x: [5], c: [3]) -> [3] { return c * 2.0 }
                out = vmap(constant, in_dims=(0, None))(X, tensor([1.0, 2.0, 3.0]))
                print(out.shape, equal(out, expand(tensor([[2.0, 4.0, 6.0]]), [20, 3])))
                """, 0, "torch.Size([20, 3]) True\n");
    }

    @Test
    void aBatchedResultIsDifferentiated() {
        // sum_i f(x_i) differentiated through the batch: each row's gradient is f's gradient at that row
        assertBatched(DATA + """
                fn f(x: [5]) -> [] { return sum(tanh(x) ** 3) }
                Xg = X * 1.0
                Xg.requires_grad_()
                sum(vmap(f)(Xg)).backward()
                ref = zeros([20, 5])
                for i in range(20) { ref[i] = grad(f)(X[i]) }
                print(equal(Xg.grad, ref))
                """, 1);
    }

    @Test
    void jacobiansAndHessiansAreBatchedOverTheirOneHotSeeds() {
        // jacrev's rows are vjps along e_i, jacfwd's columns jvps along e_j, hessian's columns hvps along e_j
        assertBatched("""
                fn g(x: [12], A: [12, 12]) -> [12] { return tanh(A @ x) * x }
                fn s(x: [12], A: [12, 12]) -> [] { return sum(tanh(A @ x) ** 2) }
                x = sin(arange(12.0) * 0.9)
                A = reshape(cos(arange(144.0) * 0.11), [12, 12])
                Jr = jacrev(g)(x, A)
                Jf = jacfwd(g)(x, A)
                H = hessian(s)(x, A)
                rr = zeros([12, 12])
                rf = zeros([12, 12])
                rh = zeros([12, 12])
                for i in range(12) {
                    e = zeros(12)
                    e[i] = 1.0
                    rr[i] = vjp(g)(x, A, e)
                    value, t = jvp(g)(x, A, e)
                    rf[:, i] = t
                    value, hv = hvp(s)(x, A, e)
                    rh[:, i] = hv
                }
                print(equal(Jr, rr) and equal(Jf, rf) and equal(H, rh))
                """, 1);
    }

    @Test
    void aBranchOnEachExamplesOwnConditionRunsBothSidesAndSelects() {
        // JAX's select: both sides run for the whole batch and each example takes its own side's
        // values and adjoints; a branch in a loop, a nested one, and one whose value is the same
        // for every example on one side
        assertBatched(DATA + """
                fn huber(w: [5], x: [5], y: []) -> [] {
                    r = sum(w * x) - y
                    if abs(r) < 0.3 {
                        l = 0.5 * r ** 2
                    } else {
                        l = 0.3 * (abs(r) - 0.15)
                    }
                    return l
                }
                fn steps(x: [5], s: []) -> [5] {
                    h = x
                    for t in range(3) {
                        if sum(h) > s {
                            h = tanh(h) * 0.5
                            if h[0] > 0 {
                                h = h + 1.0
                            }
                        } else {
                            h = h * 2.0 + x
                        }
                    }
                    if s > 0 {
                        h = h * s
                    } else {
                        h = ones(5)
                    }
                    return h
                }
                fn total(x: [5], s: []) -> [] { return sum(steps(x, s) ** 2) }
                S = sin(arange(20.0) * 1.3)
                v = vmap(huber, in_dims=(None, 0, 0))(w, X, Y)
                g = vmap(grad(huber, wrt=[w, x]), in_dims=(None, 0, 0))(w, X, Y)
                h = vmap(steps)(X, S)
                k = vmap(grad(total, wrt=[x, s]))(X, S)
                ok = True
                taken = 0
                for i in range(20) {
                    a, c = grad(huber, wrt=[w, x])(w, X[i], Y[i])
                    d, e = grad(total, wrt=[x, s])(X[i], S[i])
                    ok = ok and equal(v[i], huber(w, X[i], Y[i])) and equal(g[0][i], a) and equal(g[1][i], c)
                    ok = ok and equal(h[i], steps(X[i], S[i])) and equal(k[0][i], d) and equal(k[1][i], e)
                    if abs(sum(w * X[i]) - Y[i]) < 0.3 {
                        taken += 1
                    }
                }
                print(ok, 0 < taken and taken < 20)
                """, 1, "True True\n");
    }

    @Test
    void theSideAnExampleDoesNotTakeSendsNoNanIntoItsGradient() {
        // the untaken side meets log of a negative number and sqrt at 0 (infinite slope, times a
        // zero cotangent: nan) behind a sum, where no mask of where's own reaches; its adjoints are
        // selected away, whether the gradient is taken inside the map or of the mapped function
        assertBatched("""
                X = reshape(expand(tensor([[0.0, 1.0, 4.0, -1.0, -2.0, -0.5, 2.0, 0.0, 0.0, -0.25, -3.0, -1.0]]), [10, 12]), [40, 3])
                fn f(x: [3]) -> [] {
                    if min(x) >= 0 {
                        y = sum(sqrt(x)) * 2.0
                    } else {
                        y = sum(log(-x)) + sum(x ** 2)
                    }
                    return y
                }
                g = vmap(grad(f))(X)
                Xg = X * 1.0
                Xg.requires_grad_()
                v = vmap(f)(Xg)
                sum(v).backward()
                rv = zeros(40)
                rg = zeros([40, 3])
                for i in range(40) {
                    rv[i] = f(X[i])
                    rg[i] = grad(f)(X[i])
                }
                print(equal(v, rv), equal(g, rg), equal(Xg.grad, rg))
                print(isinf(rg).any(), isnan(g).any(), isnan(Xg.grad).any())
                """, 1, "True True True\ntensor(True) tensor(False) tensor(False)\n");
    }

    @Test
    void aWhileOnEachExamplesOwnConditionRunsUntilEveryExampleHasStopped() {
        // each example stops after its own number of iterations (none for rows 0 and 5, whose
        // sqrt of a negative number the batch still computes, and selects away); the mapped
        // result is differentiated through the batched while; vmap(grad(f)) is batched too: one
        // reversal of the largest trip count, in which each example takes part for its own
        // iterations (only the test's own loop is left)
        assertBatched("""
                X = reshape(1.0 + 4.0 * abs(sin(arange(120.0) * 0.7)), [40, 3])
                X[0] = tensor([2.0, -1.0, 3.0])
                X[5] = tensor([0.5, 4.0, 0.0])
                fn f(x: [3]) -> [] {
                    h = x
                    while min(h) > 0.5 {
                        h = flip(sqrt(h), [0]) * 0.9 - 0.2
                    }
                    return sum(h ** 2)
                }
                v = vmap(f)(X)
                Xg = X * 1.0
                Xg.requires_grad_()
                sum(vmap(f)(Xg)).backward()
                g = vmap(grad(f))(X)
                rv = zeros(40)
                rg = zeros([40, 3])
                for i in range(40) {
                    rv[i] = f(X[i])
                    rg[i] = grad(f)(X[i])
                }
                print(equal(v, rv), equal(Xg.grad, rg), equal(g, rg), isnan(Xg.grad).any())
                """, 1, "True True True tensor(False)\n");
    }

    @Test
    void aBranchWhoseSideCanFailAtRunTimeStaysALoopWithTheSameValues() {
        // a side that could stop the run for an example that does not take it (an assert, an index
        // of each example's own, an inverse of a singular matrix) is not run for the whole batch
        String source = DATA + """
                labels = remainder(arange(20), 5)
                fn asserted(x: [5]) -> [5] {
                    if sum(x) > 0 {
                        assert x[0] > -1.0
                        y = x * 2.0
                    } else {
                        y = -x
                    }
                    return y
                }
                fn picked(x: [5], y: []) -> [] {
                    if sum(x) > 0 {
                        r = x[y]
                    } else {
                        r = sum(x)
                    }
                    return r
                }
                fn inverted(x: [5]) -> [] {
                    m = outer(x[0:2], x[1:3])
                    if sum(x) > 100 {
                        r = sum(inverse(m))
                    } else {
                        r = sum(m)
                    }
                    return r
                }
                s = sum(X, dim=1, keepdim=true)
                a = equal(vmap(asserted)(X), where(s > 0, X * 2.0, -X))
                b = vmap(picked)(X, labels)
                c = vmap(inverted)(X)
                ok = a
                for i in range(20) { ok = ok and equal(b[i], picked(X[i], labels[i])) and equal(c[i], inverted(X[i])) }
                print(ok)
                """;
        assertEquals(4, loops(compile(source)), "a side that can fail has no batching rule: each vmap stays a loop");
        TxRunner.Outcome r = TxRunner.run("run", write(source));
        assertEquals(0, r.status(), r.err());
        assertEquals("True\n", r.out());
    }

    private static void assertBatched(String source, int ownLoops) {
        assertBatched(source, ownLoops, "True\n");
    }

    private static void assertBatched(String source, int ownLoops, String printed) {
        Program p = compile(source);
        assertEquals(ownLoops, loops(p), () -> "loops in the IR: only the test's own\n" + tx.runtime.ir.IrPrinter.print(p));
        TxRunner.Outcome r = TxRunner.run("run", write(source));
        assertEquals(0, r.status(), r.err());
        assertEquals(printed, r.out());
    }

    private static Program compile(String source) {
        Compiler.Result r = Compiler.compile("t.tx", source);
        assertNotNull(r.program(), r.diagnostics().render());
        return r.program();
    }

    /**
     * Loops at the top level of the program over the examples (12 or more, or the CNN's 6): the
     * test's own reference loops, or a vmap that stayed a loop (a mapped function's own loops are shorter).
     */
    private static long loops(Program p) {
        return p.body().stream().filter(s -> s instanceof Stmt.Loop l && !l.reverse() && (l.count() >= 12 || l.count() == 6)).count();
    }

    private static String write(String source) {
        try {
            Path f = Files.createTempFile("vmap", ".tx");
            Files.writeString(f, source);
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
