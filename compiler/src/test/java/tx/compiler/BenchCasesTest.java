package tx.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark cases of ADBench's objectives (bench/cases/gmm.tx, lstm.tx, ba.tx) are the code
 * the conformance suite checks against PyTorch: each conformance/cases/adbench_NAME.tx holds the
 * functions of bench/cases/NAME.tx verbatim, and prints their value and gradients at fixed inputs
 * (ConformanceTest compares them with what the twin, which calls bench/torch_twins.py, printed).
 * Every case is also in bench/run.sh's list and has a twin in bench/torch_twins.py.
 */
class BenchCasesTest {
    private static final List<String> ADBENCH = List.of("gmm", "lstm", "ba");

    @Test
    void eachConformanceCaseHoldsItsBenchmarksFunctionsVerbatim() throws IOException {
        for (String name : ADBENCH) {
            String bench = read("bench/cases/" + name + ".tx"), conformance = read("conformance/cases/adbench_" + name + ".tx");
            String functions = bench.substring(bench.indexOf("\nfn ") + 1);
            assertTrue(functions.startsWith("fn ") && functions.length() > 200, name + ": no functions found in bench/cases/" + name + ".tx");
            assertTrue(conformance.contains(functions), "conformance/cases/adbench_" + name + ".tx does not hold bench/cases/" + name
                    + ".tx's functions verbatim: copy them again");
        }
    }

    @Test
    void everyCaseIsRunAndHasATwin() throws IOException {
        String run = read("bench/run.sh"), threads = read("bench/threads.sh"), twins = read("bench/torch_twins.py");
        int list = run.indexOf("then cases=(") + "then cases=(".length();
        List<String> listed = List.of(run.substring(list, run.indexOf(')', list)).split(" "));
        for (Path c : TxRunner.files(TxRunner.root().resolve("bench/cases"), ".tx")) {
            String name = c.getFileName().toString().replaceFirst("\\.tx$", "");
            assertTrue(listed.contains(name), name + " is not in bench/run.sh's list " + listed);
            assertTrue(run.contains("[" + name + "]=") && threads.contains("[" + name + "]="), name + ": no function and wrt in run.sh and threads.sh");
            assertTrue(twins.contains("\"" + name + "\": ("), name + " has no twin in bench/torch_twins.py");
        }
    }

    private static String read(String path) throws IOException {
        return Files.readString(TxRunner.root().resolve(path), StandardCharsets.UTF_8);
    }
}
