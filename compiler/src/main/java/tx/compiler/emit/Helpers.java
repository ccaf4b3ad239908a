package tx.compiler.emit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tx.runtime.ir.Blocks;
import tx.runtime.ir.Builder;
import tx.runtime.ir.Func;
import tx.runtime.ir.Stmt;
import tx.runtime.ir.Var;

/**
 * The functions of the IR that a derivation calls, as the emitters write them: each one once, as
 * a helper named {@code NAME_grad_<function>} ({@code loss_grad_f1_fwd}, {@code loss_grad_f1_bwd},
 * {@code loss_grad_softplus_bwd} for a custom rule), however many calls it has, so the written
 * derivative grows with the source, not with the call tree (Tapenade writes each procedure's
 * adjoint once, and calls it).
 *
 * <p>A function called from one place only is written into its caller instead: the
 * value-and-gradient's own halves, a function's joint adjoint called once. It would be a helper
 * that says nothing its caller does not, and the caller reads better whole.
 */
public final class Helpers {
    /** The program with its functions called once written in their callers, and the functions left, callees before callers. */
    public record Inlined(List<Stmt> body, List<Var> results, List<Func> functions) {}

    private final Map<Func, Integer> calls = new IdentityHashMap<>();
    /** Each function left, by the function it was before its callees called once were written into it. */
    private final Map<Func, Func> rebuilt = new IdentityHashMap<>();
    /** Reads to rename: a parameter of a function written into its caller by the argument, a call's output by the result. */
    private final Map<Var, Var> renamed = new HashMap<>();

    /** Makes the variables of the copies. */
    private final Builder fresh;

    private Helpers(int firstId) {
        this.fresh = new Builder(firstId);
    }

    /** Writes each function that has one call in the whole program (its functions' bodies included) into its caller. */
    public static Inlined inlineOnce(List<Stmt> body, List<Var> results, int varCount) {
        return inline(body, results, varCount, f -> false);
    }

    /**
     * As {@link #inlineOnce}, and writes into its callers every function that {@code inPlace} names
     * too (with named dimensions, one whose signature would need a size such as {@code 3 * n}, which
     * a tx signature cannot declare).
     */
    public static Inlined inline(List<Stmt> body, List<Var> results, int varCount, java.util.function.Predicate<Func> inPlace) {
        List<Func> all = Blocks.functions(body);
        int next = Math.max(varCount, nextId(body, List.of()));
        for (Func f : all) next = Math.max(next, nextId(f.body(), f.params()));
        Helpers h = new Helpers(next);
        h.inPlace = inPlace;
        h.count(body);
        for (Func f : all) h.count(f.body());
        List<Func> left = new ArrayList<>();
        for (Func f : all) { // callees first, so a caller's calls find their rebuilt callee
            if (h.once(f)) continue;
            Func g = f.withBody(h.block(f.body(), false), h.vars(f.results()));
            h.rebuilt.put(f, g);
            left.add(g);
        }
        List<Stmt> top = h.block(body, false);
        return new Inlined(top, h.vars(results), left);
    }

    /**
     * The name of each function in the output: {@code prefix} and the function's name, numbered
     * {@code _2}, {@code _3} where two functions have one name (one function lowered for two
     * signatures of its calls, or split for two patterns of active arguments).
     */
    public static Map<Func, String> names(String prefix, List<Func> functions) {
        Map<Func, String> out = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Func f : functions) {
            String base = prefix + f.name();
            int k = seen.merge(base, 1, Integer::sum);
            out.put(f, k == 1 ? base : base + "_" + k);
        }
        return out;
    }

    /** The functions that what the emitted function returns calls, directly or not (those only the value needs are left out), callees first. */
    static List<Func> needed(Derivation d) {
        Set<Func> used = new HashSet<>();
        List<List<Stmt>> todo = new ArrayList<>(List.of(d.body()));
        List<List<Var>> roots = new ArrayList<>(List.of(d.outputs()));
        while (!todo.isEmpty()) {
            List<Stmt> body = todo.remove(todo.size() - 1);
            Set<Var> live = Liveness.of(body, roots.remove(roots.size() - 1));
            for (Func f : Blocks.functions(neededCalls(body, live))) {
                if (used.add(f)) {
                    todo.add(f.body());
                    roots.add(f.results());
                }
            }
        }
        List<Func> out = new ArrayList<>(d.functions());
        out.retainAll(used);
        return out;
    }

    /** The calls of a block (nested ones included) that compute something live. */
    private static List<Stmt> neededCalls(List<Stmt> body, Set<Var> live) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt st : body) {
            if (st instanceof Stmt.Call c && Liveness.needed(c, live)) out.add(c);
            if (st instanceof Stmt.Loop l && Liveness.needed(l, live)) out.addAll(neededCalls(l.body(), live));
            if (st instanceof Stmt.Cond c && Liveness.needed(c, live)) {
                out.addAll(neededCalls(c.then(), live));
                out.addAll(neededCalls(c.otherwise(), live));
            }
        }
        return out;
    }

    /** One more than the largest id of a variable a block or its parameters hold. */
    /**
     * A copy of a block with every variable it defines new (numbered from {@code firstId}), and
     * its reads renamed as {@code renamed} says; {@code renamed} receives each old variable's new
     * one. The block calls no function.
     */
    static List<Stmt> copied(List<Stmt> body, Map<Var, Var> renamed, int firstId) {
        Helpers h = new Helpers(firstId);
        h.renamed.putAll(renamed);
        List<Stmt> out = h.block(body, true);
        renamed.putAll(h.renamed);
        return out;
    }

    static int nextId(List<Stmt> body, List<Var> params) {
        int next = 0;
        for (Var v : Blocks.defined(body)) next = Math.max(next, v.id() + 1);
        for (Var v : Blocks.free(body)) next = Math.max(next, v.id() + 1);
        for (Var v : params) next = Math.max(next, v.id() + 1);
        return next;
    }

    private void count(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Call c) calls.merge(c.fn(), 1, Integer::sum);
            else if (s instanceof Stmt.Loop l) count(l.body());
            else if (s instanceof Stmt.Cond c) {
                count(c.then());
                count(c.otherwise());
            }
        }
    }

    private java.util.function.Predicate<Func> inPlace = f -> false;

    private boolean once(Func f) {
        return calls.getOrDefault(f, 0) == 1 || inPlace.test(f);
    }

    /**
     * A block with the calls of functions called once replaced by copies of their bodies, and its
     * variables renamed as {@link #renamed} says. {@code copy}: the block is such a copy, whose
     * variables are all new. NOTE: the halves of a split function share the function's variables
     * (the forward half's residuals are the backward half's parameters, its constants are made
     * again there), so two bodies written into one caller would define one variable twice.
     */
    private List<Stmt> block(List<Stmt> body, boolean copy) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Call c && once(c.fn())) {
                Func f = c.fn();
                for (int k = 0; k < f.params().size(); k++) renamed.put(f.params().get(k), var(c.in().get(k)));
                out.addAll(block(f.body(), true));
                for (int k = 0; k < c.outs().size(); k++) renamed.put(c.outs().get(k), var(f.results().get(k)));
            } else if (s instanceof Stmt.Call c) {
                out.add(new Stmt.Call(rebuilt.get(c.fn()), vars(c.in()), defs(c.outs(), copy), c.origin()));
            } else if (s instanceof Stmt.Eqn e) {
                List<Var> in = vars(e.in());
                out.add(new Stmt.Eqn(e.prim(), in, defs(List.of(e.out()), copy).get(0), e.attr(), e.origin()));
            } else if (s instanceof Stmt.Loop l) {
                List<Var> init = vars(l.init()), params = defs(l.params(), copy);
                Var index = defs(List.of(l.index()), copy).get(0);
                Stmt.RunTime rt = l.runTime() == null ? null : runTime(l.runTime(), copy);
                List<Stmt> inner = block(l.body(), copy);
                out.add(new Stmt.Loop(l.count(), index, init, params, inner, vars(l.results()), defs(l.outs(), copy), vars(l.stacked()),
                        defs(l.tapes(), copy), l.reverse(), l.origin(), rt));
            } else if (s instanceof Stmt.Cond c) {
                Var cond = var(c.cond());
                List<Stmt> then = block(c.then(), copy);
                List<Var> thenResults = vars(c.thenResults());
                List<Stmt> otherwise = block(c.otherwise(), copy);
                out.add(new Stmt.Cond(cond, then, thenResults, otherwise, vars(c.elseResults()), defs(c.outs(), copy), c.origin()));
            } else { // an effect (a print, a save): refused by the emitters' caller, with its location
                out.add(Blocks.rename(List.of(s), renamed).get(0));
            }
        }
        return out;
    }

    /** A while's head and trip count, or a counted loop's count, copied as the loop is. */
    private Stmt.RunTime runTime(Stmt.RunTime rt, boolean copy) {
        List<Stmt> head = block(rt.head(), copy);
        Var trips = rt.trips() == null ? null : defs(List.of(rt.trips()), copy).get(0);
        return new Stmt.RunTime(head, var(rt.cond()), trips, var(rt.count()));
    }

    /** Variables a statement defines: new ones in a copy (renamed from then on), else themselves. */
    private List<Var> defs(List<Var> vs, boolean copy) {
        if (!copy) return vs;
        List<Var> out = new ArrayList<>();
        for (Var v : vs) {
            Var w = fresh.newVarLike(v, v.name());
            renamed.put(v, w);
            out.add(w);
        }
        return out;
    }

    private Var var(Var v) {
        return v == null ? null : renamed.getOrDefault(v, v);
    }

    private List<Var> vars(List<Var> vs) {
        List<Var> out = new ArrayList<>();
        for (Var v : vs) out.add(var(v));
        return out;
    }
}
