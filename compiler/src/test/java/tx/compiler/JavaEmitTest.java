package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tx.compiler.api.Tx;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Diagnostics;
import tx.compiler.syntax.Parse;
import tx.runtime.tensor.Tensor;

/**
 * {@code tx grad --emit java}: for every example function with a scalar result (with respect to its
 * first parameter, and to all of them), the emitted class compiles with javac alone, with no
 * warnings under -Xlint:all, and its value and gradients agree with the interpreter's on seeded
 * random inputs whose named dimensions differ from the sizes the emitter sampled. A wrong-length
 * argument is an IllegalArgumentException. A second set of functions, written here, reaches the
 * primitives the examples do not (prod, the first maximum, cat, slices with steps, batched matmul,
 * random numbers, infinities, ...). All classes are compiled by one javac call per set.
 */
class JavaEmitTest {
    /** Every .tx file under examples/ with a function, and every scalar function in it. */
    private static final Path EXAMPLES = TxRunner.root().resolve("examples");

    /**
     * Functions whose derivative tx cannot write as Java, "file:function" to the reason. Each must
     * still fail (with E0601), so that an entry is removed when it starts to work.
     */
    private static final Map<String, String> KNOWN = Map.of();

    /** The same agreement for primitives and shapes the examples do not reach. */
    static final String EXTRA = """
            fn unary(x: [n, 3], y: [3]) -> [] {
                a = sin(x) * cos(y) + tan(x / 4) - tanh(x) * sqrt(y * y + 1)
                b = abs(x) * sign(y) + exp(x / 3) + log(x * x + 1) + log1p(x * x) + expm1(y / 2) + floor(x * 3) * (x % 0.7) + y % -1.3
                return sum(a * b + detach(x) * x)
            }
            fn windows(x: [n, 3], w: [3]) -> [] {
                s = 0.0
                for i in range(n - 1) {
                    s = s + sum(x[i:i + 2, :] * w) ** 2 + sum(x[i:i + 2, 0:3:2]) * x[i, 1]
                }
                return s
            }
            fn selection(x: [n, 3], w: [3]) -> [] {
                i = argsort(x, dim=1)
                s = sort(x, dim=0, descending=true).values
                g = gather(x, 1, i) * w + take_along_dim(x, argmax(x, dim=1, keepdim=true), dim=1) + index_select(x, 1, tensor([2, 0]))[:, :1]
                t = scatter_add(x, 1, i, x * w) + topk(x, 2, dim=1).values.sum()
                m = (x > 0).long() + one_hot(argmin(x, dim=1), num_classes=3) + randint(0, 3, [3], seed=1)
                return sum(g) + sum(s * w) + sum(t ** 2) + sum(x * m) + sum(x * logical_and(x > 0, x < 1)) + sum(x * bitwise_or((x > 0).long(), m))
            }
            fn compare(x: [n, 3], y: [3]) -> [] {
                c = maximum(x, y) + minimum(x, -y) + where(x > y, x, y * 2) + (x < 0.5) + (x <= y) + (x >= 0) + (x == y) + (x != y)
                return sum(c ** 2 + abs(x) ** y + relu(x) + clamp(x, -0.5, 0.5))
            }
            fn reduce(x: [n, 4]) -> [] {
                a = sum(prod(x, dim=1)) + sum(amax(x, dim=0)) + sum(max(x, dim=1)) + sum(amin(x, dim=1)) + prod(x[0])
                return a + sum(norm(x, dim=1)) + logsumexp(x, dim=1).sum() + min(x, dim=0).sum() + prod(x)
            }
            fn shaping(x: [n, 3], w: [2, 3, 4]) -> [] {
                c = cat([x, x * 2], dim=1)
                s = stack([x, x * x], dim=0)
                t = s @ w
                p = transpose(t, 0, 2)
                r = reshape(x, [3, x.shape[0]])
                e = broadcast_to(x[0], [5, 3])
                a = sum(c * c) + sum(p * p) + sum(r.T * x) + sum(e) + sum(flatten(t) ** 2) + sum(unsqueeze(x, 1) * x)
                return a + sum(x[1:, 1:] ** 3) + sum(x[:-1] * x[1:])
            }
            fn steps(x: [7, 3], w: [3]) -> [] {
                a = x[::2, 1:]
                b = x[1:, ::2]
                return sum(a ** 2) + sum(b ** 3) + sum(x[1::3] @ w) + sum(x[2:6:3, ::2])
            }
            fn random(x: [n]) -> [] {
                a = sum(x * rand([x.shape[0]], seed=3) + x ** 2 * randn([x.shape[0]], seed=5)) + sum(eye(3) @ x[:3])
                return a + sum(arange(4) * x[:4]) + sum(linspace(0, 1, 3) * x[:3]) + sum(full([2], 7) * x[1:3])
            }
            fn draws(x: [n]) -> [] {
                return sum(x * randn([x.shape[0]])) + sum(x ** 2 * rand([x.shape[0]])) + sum(x[:3] * randint(0, 5, [3]))
            }
            fn loopdraws(x: [n]) -> [] {
                s = 0.0
                for i in range(3) {
                    s = s + sum(dropout(x, p=0.5) * x) + sum(x[:2] * randperm(2))
                }
                return s
            }
            fn twodims(a: [n, m], b: [m]) -> [] {
                return sum(a * b) + mean(a ** 2)
            }
            fn flat(x: [n, m]) -> [] {
                return sum(x ** 2) / x.shape[1]
            }
            fn squared(a: [n, n]) -> [] {
                return sum((a @ a) ** 2) + mean(a)
            }
            fn neural(z: [n, 4], t: [n, 4], w: [4]) -> [] {
                a = mse_loss(softmax(z, dim=1), t) + sum(sigmoid(z) @ w) + sum(softplus(z)) + dot(w, w)
                return a + sum(outer(w, w)) + cross_entropy(z, softmax(t, dim=1))
            }
            fn activations(x: [n, 3], y: [3]) -> [] {
                a = leaky_relu(x, 0.1) + elu(x) + silu(x) + mish(x) + gelu(x, approximate="tanh") + hardtanh(x) + relu6(x * 4)
                b = softsign(x) + logsigmoid(x) + square(y) + rsqrt(y * y + 1) + exp2(x) + log2(y * y + 1) + asinh(x) + acosh(y * y + 2)
                return sum(a * b + lerp(x, y, 0.3) + hypot(x, y) + atanh(tanh(x) / 2) + sinh(x) * cosh(y) + gelu(x) * erfc(y))
            }
            fn rounding(x: [n, 3], y: [3]) -> [] {
                a = asin(tanh(x)) * acos(y / (abs(y) + 1)) + atan(x * y) + atan2(x, y) + atan2(y, 2.0)
                b = ceil(x * 2) + round(x * 3) * x + trunc(x * 2) * y + frac(x * 3) + round(x, decimals=1) * y
                return sum(a * b + fmod(x, y) + fmod(x * 4, 1.5) + remainder(y, x) + (detach(x) // 0.7) * x)
            }
            fn losses(z: [n, 3], t: [n, 3], w: [4, 3]) -> [] {
                a = l1_loss(z, t) + smooth_l1_loss(z, t, reduction="sum") + huber_loss(z, t, delta=0.5) + kl_div(z, softmax(t, dim=1))
                b = binary_cross_entropy(sigmoid(z), sigmoid(t)) + binary_cross_entropy_with_logits(z, sigmoid(t), reduction="sum")
                return a + b + sum(cosine_similarity(z, t)) + var(z) + sum(std(t, dim=1)) + sum(linear(z, w) ** 2)
            }
            fn arranged(x: [3, 4], y: [4]) -> [] {
                a = sum(cumsum(x, dim=1) * cumprod(x, dim=0)) + sum(flip(x, [0, 1]) * roll(x, 1, 1)) + sum(permute(x, [1, 0]) * x.T)
                b = sum(tril(x) * triu(x, 1)) + trace(x[:, :3]) + sum(diag(y) * diag(y, 1)[:4, :4]) + sum(diagonal(x, 1) ** 2)
                c = sum(pad(x, [1, 1], value=2) ** 2) + sum(x.repeat(2, 1) ** 2) + sum(kron(y, y) * 0.5) + sum(cross(x[:, :3], x[:, 1:], dim=1))
                return a + b + c + sum(mv(x, y) * cumprod(y[:3], dim=0)) + sum(masked_fill(x, x > 0, 0.5) * x) + sum(narrow(x, 1, 1, 2) ** 3)
            }
            fn scans(x: [n, 3]) -> [] {
                return sum(cumsum(x, dim=0) * flip(x, [0])) + sum(cumprod(x, dim=1) * roll(x, 1, 0)) + sum(tile(x, [2]) ** 2)
            }
            fn convolved(x: [n, 2, 5, 4], w: [3, 2, 2, 2], b: [3]) -> [] {
                y = conv2d(x, w, b, stride=[1, 2], padding=1, dilation=[2, 1])
                return sum(max_pool2d(y, 2, stride=1) ** 2) + sum(avg_pool2d(x, 2, padding=1) ** 2)
            }
            fn convolved1(s: [2, 4, 7], k: [4, 2, 3]) -> [] {
                return sum(max_pool1d(conv1d(s, k, padding=1, groups=2), 3, stride=2, padding=1) ** 2) + sum(avg_pool1d(s, 3, ceil_mode=true) ** 2)
            }
            fn unpooled(x: [n, 2, 4, 5], w: [2, 2, 2]) -> [] {
                v, i = max_pool2d(x, 2, stride=1, return_indices=true)
                p, j = max_pool2d(x, 2, return_indices=true)
                u = max_unpool2d(p * w, j, 2, output_size=[4, 5]) + max_unpool2d(v, i, 2, stride=1)
                return sum(u * x) + sum(scatter(flatten(x, 2), 2, flatten(j, 2), sin(flatten(p, 2) * flatten(w, 1))) ** 2)
            }
            fn scalar(a: [], b: []) -> [] {
                return a * b + a ** 3 - b / (a * a + 1)
            }
            fn constant(x: [2, 2]) -> [] {
                return sum(x * tensor([[1.5, -2.0], [0.1, 1e-300]])) + sum(x @ tensor([[1.0], [2.0]]))
            }
            fn rnn(W: [4, 4], xs: [6, 4], h0: [4]) -> [] {
                h = h0
                for t in range(6) {
                    h = tanh(W @ h + xs[t])
                }
                return sum(h ** 2)
            }
            fn nested(x: [3], w: [3]) -> [] {
                a = x
                for i in range(3) {
                    for j in range(2) {
                        a = a * w + sin(a) * x[i]
                    }
                }
                return sum(a)
            }
            fn branch(x: [3], s: []) -> [] {
                if s > 0 {
                    y = x * s
                } else {
                    y = exp(x)
                }
                return sum(y * y)
            }
            fn inloop(x: [4]) -> [] {
                acc = 0.0
                for k in range(4) {
                    if x[k] > 0 {
                        acc = acc + x[k] ** 2
                    } else {
                        acc = acc - sin(x[k])
                    }
                }
                return acc
            }
            fn scaled(x: [n, d]) -> [] {
                s = x @ x.T / (x.shape[1] ** 0.5)
                return softmax(s, dim=1).sum() * x.shape[0] ** 0.5 + sum(x) / (x.shape[0] * x.shape[1] - 1) ** 0.5
            }
            fn dimloop(x: [n, 3], w: [3]) -> [] {
                s = w
                for t in range(x.shape[0]) {
                    s = s * 0.5 + x[t] * w
                }
                return sum(s ** 2)
            }
            fn swap(x: [3], y: [3]) -> [] {
                a = x
                b = y
                for t in range(3) {
                    c = a
                    a = b * 0.5 + t
                    b = c
                }
                return sum(a * b)
            }
            fn firstin(x: [3]) -> [] {
                for t in range(3) {
                    z = x * t
                }
                return sum(z ** 2)
            }
            fn loopif(x: [3], s: []) -> [] {
                y = x
                if s > 0 {
                    for t in range(2) {
                        y = sin(y) * s
                    }
                } else {
                    y = y * 2
                }
                return sum(y)
            }
            fn cols(x: [n, 3], w: [n]) -> [] {
                s = w
                for t in range(3) {
                    s = s * tanh(x[:, t]) + t
                }
                return sum(s)
            }
            fn nestdim(x: [n, m]) -> [] {
                acc = 0.0
                for i in range(x.shape[0]) {
                    for j in range(x.shape[1]) {
                        acc = acc + x[i][j] * acc + 0.1 * x[i][j]
                    }
                }
                return acc
            }
            fn factorised(A: [3, 3], S: [2, 3, 3], b: [3], C: [3, 2]) -> [] {
                P = S @ S.mT + eye(3)
                a = det(A) + sum(inverse(A) * A) + sum(solve(A, b)) + sum(solve(A, C) ** 2)
                return a + sum(log(diagonal(cholesky(P), 0, 1, 2))) + sum(det(P)) + sum(solve(P, S[0]) * inverse(P))
            }
            fn linalg_spelled(A: [3, 3], S: [2, 3, 3], C: [2, 3]) -> [] {
                s, la = torch.linalg.slogdet(A)
                P = S @ S.mT + eye(3)
                L = torch.linalg.cholesky(P, upper=true)
                t = sum(torch.linalg.solve_triangular(P, S, upper=true) ** 2) + sum(torch.linalg.solve_triangular(A, C, upper=false, left=false, unitriangular=true))
                return s * la + sum(slogdet(P).logabsdet) + sum(L ** 2) + sum(torch.linalg.solve(A, C, left=false) ** 2) + torch.linalg.det(torch.linalg.inv(A)) + t
            }
            fn padded_modes(x: [1, 2, 3, 4], v: [2, 5]) -> [] {
                a = pad(x, [2, 1, 1, 2], mode="reflect") * pad(x, [1, 2, -1, 4], mode="replicate") + pad(x, [2, 1, 2, 1], mode="circular")
                return sum(a ** 2) + sum(pad(v, [4, 1], mode="reflect") * pad(v, [0, 5], mode="replicate"))
            }
            fn loss_options(x: [4, 3], z: [2, 3], y: [2, 3]) -> [] {
                t = tensor([0, 2, -100, 1])
                a = cross_entropy(x, t, weight=tensor([0.2, 1.0, 3.0]), label_smoothing=0.1) + nll_loss(log_softmax(x, dim=1), tensor([0, 2, 2, 1]), ignore_index=2)
                return a + binary_cross_entropy_with_logits(z, sigmoid(y), weight=tensor([0.5, 2.0, 1.0]), pos_weight=tensor([3.0, 0.5, 1.0]))
            }
            fn qr_parts(A: [4, 3], S: [2, 3, 3]) -> [] {
                Q, R = torch.linalg.qr(A)
                return sum(Q * A) + sum(R ** 2) + sum(torch.qr(S + 4 * eye(3)).R * S) + sum(torch.linalg.qr(A.T + eye(4)[:3]).R ** 2)
            }
            fn spectral_parts(A: [3, 3], M: [2, 4, 3]) -> [] {
                L, V = torch.linalg.eigh(A + A.T + torch.diag(tensor([1.0, 4.0, 8.0])))
                U, S, Vh = torch.linalg.svd(M, full_matrices=false)
                return sum((V * L) @ V.T * A) + sum(S ** 3) + sum((U @ Vh) * M) + sum(torch.linalg.svdvals(M.mT) * S) + sum(torch.linalg.pinv(M) ** 2)
            }
            fn upsampled(x: [2, 4, 3, 3], w: [4, 2, 2, 3], u: [2, 5], v: [2, 3, 3]) -> [] {
                a = conv_transpose2d(x, w, tensor([0.5, -1.0, 2.0, 0.25]), stride=2, padding=1, output_padding=1, groups=2)
                return sum(a ** 2) + sum(conv_transpose1d(u, v, stride=2, dilation=2) ** 2)
            }
            fn transposed(x: [n, 3], w: [2, 3, 4], u: [4, n]) -> [] {
                a = transpose(w, 1, 2) @ x.T
                return sum(a * (x @ w).mT) + sum((u.T @ u).T ** 2) + sum(x.T.T @ w[0]) + sum(u @ x.T.T)
            }
            """;

    /** One function to emit: where it is, and what it is differentiated with respect to (empty: the first parameter). */
    private record Case(String file, String source, Ast.FnDef fn, List<String> wrt) {
        String label() {
            return file + ":" + fn.name() + (wrt.isEmpty() ? "" : " wrt " + String.join(",", wrt));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleFunctionAgreesWithTheInterpreter() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Path f : TxRunner.files(EXAMPLES, ".tx")) {
            String source = Files.readString(f, StandardCharsets.UTF_8);
            cases.addAll(cases(EXAMPLES.relativize(f).toString().replace('\\', '/'), source));
        }
        assertTrue(cases.size() >= 30, "expected many example functions, found " + cases.size());
        return run(cases);
    }

    @TestFactory
    Stream<DynamicTest> primitivesTheExamplesDoNotReachAgreeToo() {
        List<Case> cases = cases("extra.tx", EXTRA);
        assertEquals(43 + 31, cases.size()); // 43 functions, 31 with several parameters
        return run(cases);
    }

    /** The scalar functions of a file, each with respect to its first parameter and to all its parameters. */
    private static List<Case> cases(String file, String source) {
        Ast.Program ast = Parse.program(source, new Diagnostics(file, source));
        assertNotNull(ast, file);
        List<Case> out = new ArrayList<>();
        for (Ast.Stmt s : ast.body()) {
            if (!(s instanceof Ast.FnDef f) || f.returns().size() != 1 || !f.returns().get(0).isEmpty()) continue; // scalar functions
            out.add(new Case(file, source, f, List.of()));
            if (f.params().size() > 1) out.add(new Case(file, source, f, f.params().stream().map(Ast.Param::name).toList()));
        }
        return out;
    }

    /** Emits every case, compiles all the classes at once, and returns a test per case. */
    private static Stream<DynamicTest> run(List<Case> cases) {
        Map<Case, String> classes = new LinkedHashMap<>(); // case -> its class's binary name
        Map<String, String> sources = new LinkedHashMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Compiler.Emitted r = Compiler.grad(c.file(), c.source(), c.fn().name(), c.wrt(), Compiler.Emit.JAVA);
            String known = KNOWN.get(c.file() + ":" + c.fn().name());
            if (known != null) {
                tests.add(DynamicTest.dynamicTest(c.label() + " (known exclusion)", () -> {
                    assertNull(r.text(), c.label() + " is listed as unsupported (" + known + ") but now emits: remove it from KNOWN");
                    assertTrue(r.diagnostics().render().contains("E0601"), r.diagnostics().render());
                }));
                continue;
            }
            if (r.text() == null) {
                tests.add(DynamicTest.dynamicTest(c.label(), () -> fail(r.diagnostics().render())));
                continue;
            }
            assertEquals(r.text(), Compiler.grad(c.file(), c.source(), c.fn().name(), c.wrt(), Compiler.Emit.JAVA).text(), "not deterministic");
            String pkg = "emitted" + i;
            String className = pkg + "." + JavaName.of(r.text());
            classes.put(c, className);
            sources.put(className, "package " + pkg + ";\n\n" + r.text());
        }
        ClassLoader loader = compile(sources);
        for (Map.Entry<Case, String> e : classes.entrySet()) {
            tests.add(DynamicTest.dynamicTest(e.getKey().label(), () -> agree(e.getKey(), loader.loadClass(e.getValue()))));
        }
        return tests.stream();
    }

    /** The emitted class's value and gradients against the interpreter's, then a wrong-length argument. */
    private static void agree(Case c, Class<?> k) throws Exception {
        Ast.FnDef fn = c.fn();
        List<String> params = fn.params().stream().map(Ast.Param::name).toList();
        assertArrayEquals(params.toArray(), (String[]) k.getField("PARAMS").get(null));
        List<String> dims = List.of((String[]) k.getField("DIMS").get(null));
        List<String> dimArgs = fieldOrEmpty(k, "DIM_ARGS");
        assertArrayEquals((c.wrt().isEmpty() ? List.of(params.get(0)) : c.wrt()).toArray(), (String[]) k.getField("WRT").get(null));

        // named dimensions 4, 5, ...: none of the sizes the emitter sampled
        Map<String, Integer> size = new HashMap<>();
        int[] dimSizes = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            size.put(dims.get(i), 4 + i);
            dimSizes[i] = 4 + i;
        }
        Method shape = k.getMethod("shape", String.class, int[].class);
        Random rng = new Random(c.label().hashCode());
        Tensor[] tensors = new Tensor[params.size()];
        double[][] arrays = new double[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Ast.Param p = fn.params().get(i);
            int[] s = p.shape().stream().mapToInt(d -> d.name() != null ? size.get(d.name()) : d.size()).toArray();
            assertArrayEquals(s, (int[]) shape.invoke(null, p.name(), dimSizes), "shape(" + p.name() + ")");
            double[] data = new double[Arrays.stream(s).reduce(1, (a, b) -> a * b)];
            for (int j = 0; j < data.length; j++) data[j] = rng.nextGaussian();
            tensors[i] = Tensor.of(s, data);
            arrays[i] = data.clone();
        }
        Object[] args = new Object[dimArgs.size() + params.size()];
        for (int i = 0; i < dimArgs.size(); i++) args[i] = size.get(dimArgs.get(i));
        for (int i = 0; i < params.size(); i++) args[dimArgs.size() + i] = arrays[i];
        Class<?>[] types = new Class<?>[args.length];
        for (int i = 0; i < args.length; i++) types[i] = i < dimArgs.size() ? int.class : double[].class;
        Method value = k.getMethod(fn.name(), types), grad = k.getMethod(fn.name() + "_grad", types);

        Tx.Module m = Tx.compile(c.file(), c.source());
        double[] expectedValue = m.function(fn.name()).call(tensors).get(0).data();
        List<Tensor> expectedGrads = m.grad(fn.name(), c.wrt().toArray(String[]::new)).call(tensors);
        close(c.label() + " value", expectedValue, (double[]) value.invoke(null, args));
        double[][] grads = (double[][]) grad.invoke(null, args);
        assertEquals(expectedGrads.size(), grads.length);
        for (int i = 0; i < grads.length; i++) close(c.label() + " gradient " + i, expectedGrads.get(i).data(), grads[i]);
        for (int i = 0; i < params.size(); i++) assertArrayEquals(tensors[i].data(), arrays[i], "an argument was modified");

        // a wrong length: on a parameter whose length a named dimension read from it cannot absorb
        int wrong = -1;
        for (int i = 0; i < params.size() && wrong < 0; i++) if (constrained(fn, i)) wrong = i;
        if (wrong >= 0) {
            Object[] bad = args.clone();
            bad[dimArgs.size() + wrong] = new double[arrays[wrong].length + 1];
            for (Method method : List.of(value, grad)) {
                InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> method.invoke(null, bad), c.label());
                assertInstanceOf(IllegalArgumentException.class, e.getCause(), c.label());
                assertTrue(e.getCause().getMessage().contains(params.get(wrong)), e.getCause().getMessage());
            }
        }
    }

    /**
     * Whether a longer array for parameter i cannot be read as other sizes of the named dimensions:
     * its shape is fixed, has a fixed factor above 1, or shares a named dimension with another parameter.
     */
    private static boolean constrained(Ast.FnDef fn, int i) {
        Ast.Param p = fn.params().get(i);
        long factor = 1;
        boolean named = false;
        for (Ast.Dim d : p.shape()) {
            if (d.name() == null) factor *= d.size();
            else named = true;
        }
        if (!named || factor > 1) return true;
        for (int j = 0; j < fn.params().size(); j++) {
            if (j == i) continue;
            for (Ast.Dim d : fn.params().get(j).shape()) for (Ast.Dim e : p.shape()) if (d.name() != null && d.name().equals(e.name())) return true;
        }
        return false;
    }

    private static List<String> fieldOrEmpty(Class<?> k, String name) throws IllegalAccessException {
        try {
            return List.of((String[]) k.getField(name).get(null));
        } catch (NoSuchFieldException e) {
            return List.of();
        }
    }

    /** Equal within 1e-9 relative (NaN matching NaN), the same length. */
    private static void close(String what, double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double a = expected[i], b = actual[i];
            if (Double.compare(a, b) == 0 || a == b) continue;
            if (Math.abs(a - b) <= 1e-12 + 1e-9 * Math.max(Math.abs(a), Math.abs(b))) continue;
            fail(String.format(Locale.ROOT, "%s: element %d is %s, the interpreter says %s", what, i, b, a));
        }
    }

    @Test
    void theClassIsNamedAfterTheFunctionAndReadsItsDimensionsFromTheArguments() {
        String source = "fn loss_fn(w: [3, 2], x: [n, 3]) -> [] {\n    return sum(tanh(x @ w))\n}\n";
        Compiler.Emitted r = Compiler.grad("m.tx", source, "loss_fn", List.of(), Compiler.Emit.JAVA);
        assertNotNull(r.text(), r.diagnostics().render());
        String t = r.text();
        assertTrue(t.startsWith("// The function `loss_fn` and its gradient with respect to w, written by `tx grad --emit java` from m.tx.\n"), t);
        assertTrue(t.contains("public final class LossFnGrad {"), t);
        assertTrue(t.contains("public static final String[] SHAPES = {\"[3, 2]\", \"[n, 3]\"};"), t);
        assertTrue(t.contains("public static double[] loss_fn(double[] w, double[] x) {\n        int n = x.length / 3;\n"), t);
        assertTrue(t.contains("public static double[][] loss_fn_grad(double[] w, double[] x) {"), t);
        assertTrue(t.contains("check(x, 3 * n, \"x\", \"[n, 3] with n = \" + n);"), t);
        assertTrue(t.contains("matmul(x, new int[] {n, 3}, false, w, new int[] {3, 2}, false);"), t);
        assertTrue(t.contains("return new double[][] {d_w};"), t);
        assertTrue(t.contains("// line 2"), t);
        assertTrue(!t.contains("67") && !t.contains("83") && !t.contains("103"), "a sampled size leaked into the code:\n" + t);
        assertTrue(!t.contains("private static double[] exp("), "an unused kernel was written:\n" + t);
    }

    @Test
    void theCommandLineWritesTheClass() {
        TxRunner.Outcome r = TxRunner.run("grad", EXAMPLES.resolve("functions.tx").toString(), "--fn", "loss", "--wrt", "w,b", "--emit", "java");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("// The function `loss` and its gradient with respect to w, b, written by `tx grad --emit java` from functions.tx."), r.out());
        assertTrue(r.out().contains("public static double[][] loss_grad(double[] w, double[] b, double[] x, double[] y) {"), r.out());
        assertTrue(r.out().contains("        return new double[][] {d_w, d_b};\n"), r.out());
    }

    @Test
    void aFunctionThatCollidesWithAKernelKeepsItsName() throws Exception {
        String source = "fn zip(x: [n], y: [n]) -> [] {\n    return sum(x * y + x)\n}\n"; // zip is the kernel mul calls
        Compiler.Emitted r = Compiler.grad("m.tx", source, "zip", List.of(), Compiler.Emit.JAVA);
        assertNotNull(r.text(), r.diagnostics().render());
        assertTrue(r.text().contains("private static double[] zipKernel(double[] a, double[] b, DoubleBinaryOperator f) {"), r.text());
        Class<?> k = compile(Map.of("ZipGrad", r.text())).loadClass("ZipGrad");
        Object[] xy = {new double[] {1, 2, 3}, new double[] {2, 0, 1}};
        assertArrayEquals(new double[] {11}, (double[]) k.getMethod("zip", double[].class, double[].class).invoke(null, xy));
        assertArrayEquals(new double[][] {{3, 1, 2}}, (double[][]) k.getMethod("zip_grad", double[].class, double[].class).invoke(null, xy));
    }

    @Test
    void namedDimensionsTooSmallForASliceAreAnIllegalArgument() throws Exception {
        String source = "fn head(x: [n]) -> [] {\n    return sum(x[:5] ** 2)\n}\n";
        Compiler.Emitted r = Compiler.grad("m.tx", source, "head", List.of(), Compiler.Emit.JAVA);
        assertNotNull(r.text(), r.diagnostics().render());
        Class<?> k = compile(Map.of("HeadGrad", r.text())).loadClass("HeadGrad");
        Method grad = k.getMethod("head_grad", double[].class);
        assertArrayEquals(new double[][] {{2, 4, 6, 8, 10, 0}}, (double[][]) grad.invoke(null, (Object) new double[] {1, 2, 3, 4, 5, 6}));
        InvocationTargetException e = assertThrows(InvocationTargetException.class, () -> grad.invoke(null, (Object) new double[4]));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }

    /** Loops and branches: what the class looks like, both sides of a branch, and a run-time index out of range. */
    @Test
    void loopsAndBranchesAreJavaLoopsAndBranches() throws Exception {
        Compiler.Emitted r = Compiler.grad("extra.tx", EXTRA, "dimloop", List.of(), Compiler.Emit.JAVA);
        assertNotNull(r.text(), r.diagnostics().render());
        String t = r.text();
        assertTrue(t.contains("for (int t = 0; t < n; t++) {"), t);
        assertTrue(t.contains("for (int t_2 = n - 1; t_2 >= 0; t_2--) {"), t);
        assertTrue(t.contains("take(x, new int[] {n, 3}, 0, t);"), t);
        assertTrue(t.contains("put(") && t.contains(", new int[] {n, 3}, 0, t_2);"), t);
        assertTrue(!t.contains("67") && !t.contains("83") && !t.contains("103"), "a sampled size leaked into the code:\n" + t);

        Compiler.Emitted euler = Compiler.grad("ode_euler.tx", Files.readString(EXAMPLES.resolve("handwritten/ode_euler.tx")), "decay",
                List.of(), Compiler.Emit.JAVA);
        assertNotNull(euler.text(), euler.diagnostics().render());
        String value = euler.text().substring(euler.text().indexOf("public static double[] decay("), euler.text().indexOf("public static double[][] decay_grad("));
        assertTrue(!value.contains("tape"), "the value needs no tape:\n" + value);
        assertTrue(euler.text().contains("double[] y_tape = new double[50 * 3];"), euler.text());
        assertTrue(euler.text().contains("setRow(y_tape, t, y);"), euler.text());

        // both sides of a branch, against the interpreter
        Compiler.Emitted b = Compiler.grad("extra.tx", EXTRA, "branch", List.of("x", "s"), Compiler.Emit.JAVA);
        assertNotNull(b.text(), b.diagnostics().render());
        assertTrue(b.text().contains("if (t2[0] != 0.0) {") && b.text().contains("} else {"), b.text());
        Class<?> k = compile(Map.of("BranchGrad", b.text())).loadClass("BranchGrad");
        Method value2 = k.getMethod("branch", double[].class, double[].class), grad = k.getMethod("branch_grad", double[].class, double[].class);
        Tx.Module m = Tx.compile("extra.tx", EXTRA);
        for (double s : new double[] {0.7, -0.7, 0.0}) {
            double[] x = {0.5, -1.5, 2.0};
            Tensor[] in = {Tensor.of(new int[] {3}, x.clone()), Tensor.of(new int[0], new double[] {s})};
            close("branch at s = " + s, m.function("branch").call(in).get(0).data(), (double[]) value2.invoke(null, x, new double[] {s}));
            List<Tensor> expected = m.grad("branch", "x", "s").call(in);
            double[][] actual = (double[][]) grad.invoke(null, x, new double[] {s});
            for (int i = 0; i < 2; i++) close("branch gradient " + i + " at s = " + s, expected.get(i).data(), actual[i]);
        }

        // an index past the end, known only at run time
        String ahead = "fn ahead(x: [n]) -> [] {\n    s = 0.0\n    for t in range(x.shape[0]) {\n        s = s + x[t + 1] * x[t]\n    }\n    return s\n}\n";
        Compiler.Emitted a = Compiler.grad("m.tx", ahead, "ahead", List.of(), Compiler.Emit.JAVA);
        assertNotNull(a.text(), a.diagnostics().render());
        Class<?> ka = compile(Map.of("AheadGrad", a.text())).loadClass("AheadGrad");
        for (String method : List.of("ahead", "ahead_grad")) {
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> ka.getMethod(method, double[].class).invoke(null, (Object) new double[] {1, 2, 3}));
            assertInstanceOf(IndexOutOfBoundsException.class, e.getCause());
            assertEquals("index 3 is out of bounds for dimension 0 with size 3", e.getCause().getMessage());
        }
    }

    // ---- compiling in memory -------------------------------------------------------------------------

    /** The public class name of an emitted source. */
    private static final class JavaName {
        static String of(String source) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("public final class (\\w+)").matcher(source);
            assertTrue(m.find(), source);
            return m.group(1);
        }
    }

    /** Compiles sources (binary name to text) with -Xlint:all in one javac call; any error or warning fails. */
    private static ClassLoader compile(Map<String, String> sources) {
        return InMemoryJavac.compile(sources);
    }
}
