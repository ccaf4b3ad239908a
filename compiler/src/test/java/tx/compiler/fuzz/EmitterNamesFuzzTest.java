package tx.compiler.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import tx.compiler.Compiler;
import tx.compiler.EmittedText;
import tx.compiler.InMemoryJavac;

/**
 * Hostile file names ({@link HostileNames}) through every emitter: each case turns a generated
 * gradient program ({@link ProgramGenerator}) into a function, and {@code tx grad} writes it as
 * .tx, Java and DOT under a random hostile name. What it writes must be the code it writes for a
 * plain name (read by a lexer of each language), hold no invisible character, and the .tx must
 * compile, the Java too (one javac call for all cases), the DOT read back. A refusal (E0601) must
 * be the plain name's refusal too, its diagnostic on as many lines.
 *
 * <p>System properties: {@code tx.fuzz.names} the number of cases (default 24, a few seconds),
 * {@code tx.fuzz.seed} the base seed, as for {@link FuzzTest}.
 */
class EmitterNamesFuzzTest {
    private static final int CASES = Integer.getInteger("tx.fuzz.names", 24);
    private static final long SEED = FuzzTest.parseSeed(System.getProperty("tx.fuzz.seed", "20261127")) ^ 0x4E414D4553L;

    @Test
    void hostileNamesLeaveTheEmittedCodeAsItIs() {
        Map<String, String> classes = new LinkedHashMap<>();
        int emitted = 0, seeds = 0;
        long[] caseSeeds = FuzzTest.caseSeeds(SEED, CASES * 4);
        for (int i = 0; i < caseSeeds.length && seeds < CASES; i++) {
            ProgramGenerator.Program p = ProgramGenerator.generate(caseSeeds[i]);
            if (p.kind() != ProgramGenerator.Kind.GRADIENT) continue;
            seeds++;
            String source = function(p.gradient());
            String name = HostileNames.name(new SplittableRandom(caseSeeds[i]));
            String what = "case " + ProgramGenerator.hex(p.seed()) + " named " + EmittedText.shown(name) + ":\n" + source;
            for (Compiler.Emit emit : Compiler.Emit.values()) {
                Compiler.Emitted plain = grad("plain.tx", source, emit, what);
                Compiler.Emitted hostile = grad(name, source, emit, what);
                if (plain.text() == null) { // a function tx cannot write out: the same refusal, on as many lines
                    String a = plain.diagnostics().render(), b = hostile.diagnostics().render();
                    assertTrue(hostile.text() == null, what);
                    EmittedText.onlyVisible("the diagnostic of " + what, b);
                    assertEquals(a.split("\n", -1).length, b.split("\n", -1).length, what + "\n" + b);
                    continue;
                }
                assertNotNull(hostile.text(), () -> what + "\n" + hostile.diagnostics().render());
                String text = hostile.text();
                switch (emit) {
                    case TX -> {
                        EmittedText.onlyVisible("the .tx of " + what, text);
                        assertEquals(EmittedText.txCode(plain.text()), EmittedText.txCode(text), what);
                        Compiler.Result r = Compiler.compile("emitted.tx", text);
                        assertNotNull(r.program(), () -> what + "\n" + r.diagnostics().render() + "\n" + text);
                    }
                    case JAVA -> {
                        assertEquals(EmittedText.javaCode(plain.text()), EmittedText.javaCode(text), what);
                        classes.put("names" + seeds + ".FGrad", "package names" + seeds + ";\n" + text);
                    }
                    case DOT -> {
                        EmittedText.onlyVisible("the DOT of " + what, text);
                        assertEquals(EmittedText.dotStructure(plain.text()), EmittedText.dotStructure(text), what);
                    }
                }
                emitted++;
            }
        }
        assertEquals(CASES, seeds, "enough gradient programs");
        assertTrue(emitted >= CASES, "at least a third of the emissions wrote something: " + emitted);
        if (!classes.isEmpty()) {
            ClassLoader loader = InMemoryJavac.compile(classes);
            for (String k : classes.keySet()) assertNotNull(load(loader, k));
        }
    }

    private static Compiler.Emitted grad(String name, String source, Compiler.Emit emit, String what) {
        try {
            return Compiler.grad(name, source, "f", List.of(), emit);
        } catch (RuntimeException e) {
            throw new AssertionError("tx grad --emit " + emit + " threw on " + what, e);
        }
    }

    private static Class<?> load(ClassLoader loader, String name) {
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(name, e);
        }
    }

    /** A gradient program's computation as a function of its leaves, returning the sum of its output. */
    static String function(ProgramGenerator.GradientSpec g) {
        List<String> params = new ArrayList<>();
        for (int k = 0; k < g.leaves().size(); k++) params.add(g.leaves().get(k) + ": " + java.util.Arrays.toString(g.shapes().get(k)));
        UnaryOperator<String> indent = l -> "    " + l;
        StringBuilder sb = new StringBuilder("fn f(" + String.join(", ", params) + ") -> [] {\n");
        for (String line : g.body()) sb.append(indent.apply(line)).append('\n');
        return sb.append("    return sum(").append(g.output()).append(")\n}\n").toString();
    }
}
