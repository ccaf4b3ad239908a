package tx.runtime.ir;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What blocks of statements read and define, and renaming the variables they read. */
public final class Blocks {
    private Blocks() {}

    /** The variables a block defines, nested blocks included (equation outputs, loop indices, parameters, outputs and tapes, branch outputs). */
    public static Set<Var> defined(List<Stmt> body) {
        Set<Var> out = new LinkedHashSet<>();
        define(body, out);
        return out;
    }

    private static void define(List<Stmt> body, Set<Var> out) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Eqn e) out.add(e.out());
            else if (s instanceof Stmt.Fused f) define(fusedBody(f), out); // its own values too, as a nested block's
            else if (s instanceof Stmt.Loop l) {
                out.add(l.index());
                out.addAll(l.params());
                if (l.runTime() != null) {
                    define(l.runTime().head(), out);
                    if (l.runTime().trips() != null) out.add(l.runTime().trips());
                }
                define(l.body(), out);
                out.addAll(l.outs());
                out.addAll(l.tapes());
            } else if (s instanceof Stmt.Cond c) {
                define(c.then(), out);
                define(c.otherwise(), out);
                out.addAll(c.outs());
            } else if (s instanceof Stmt.GradRead g) out.add(g.out());
            else if (s instanceof Stmt.Call c) out.addAll(c.outs());
        }
    }

    /**
     * The functions a block calls, directly or through other functions, each once, callees before
     * their callers (so a pass over functions may process them in this order).
     */
    public static List<Func> functions(List<Stmt> body) {
        Set<Func> out = new LinkedHashSet<>();
        collect(body, out, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return new ArrayList<>(out);
    }

    private static void collect(List<Stmt> body, Set<Func> out, Set<Func> visiting) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Call c) {
                if (!out.contains(c.fn()) && visiting.add(c.fn())) {
                    collect(c.fn().body(), out, visiting);
                    out.add(c.fn());
                }
            } else if (s instanceof Stmt.Loop l) {
                if (l.runTime() != null) collect(l.runTime().head(), out, visiting);
                collect(l.body(), out, visiting);
            }
            else if (s instanceof Stmt.Cond c) {
                collect(c.then(), out, visiting);
                collect(c.otherwise(), out, visiting);
            }
        }
    }

    /** A fused run's equations and sums, as the block of equations it stands for (the sums after the run). */
    public static List<Stmt> fusedBody(Stmt.Fused f) {
        List<Stmt> body = new ArrayList<>(f.eqns());
        body.addAll(f.sums());
        return body;
    }

    /** Whether a block has an effect (printing, a check, a .grad register, a file), nested blocks included; calls and fused runs have none. */
    public static boolean hasEffects(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                if (hasEffects(l.body())) return true;
            } else if (s instanceof Stmt.Cond c) {
                if (hasEffects(c.then()) || hasEffects(c.otherwise())) return true;
            } else if (!(s instanceof Stmt.Eqn) && !(s instanceof Stmt.Call) && !(s instanceof Stmt.Fused)) {
                return true;
            }
        }
        return false;
    }

    /** The saves of a block, nested blocks included, in program order: what running it would write. */
    public static List<Stmt.Save> saves(List<Stmt> body) {
        List<Stmt.Save> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Save sv) out.add(sv);
            else if (s instanceof Stmt.Loop l) out.addAll(saves(l.body()));
            else if (s instanceof Stmt.Cond c) {
                out.addAll(saves(c.then()));
                out.addAll(saves(c.otherwise()));
            }
        }
        return out;
    }

    /** The variables a block reads that it does not define itself (its free variables), in first-use order. */
    public static Set<Var> free(List<Stmt> body) {
        Set<Var> used = new LinkedHashSet<>();
        use(body, used);
        used.removeAll(defined(body));
        return used;
    }

    /** The free variables of one statement. */
    public static Set<Var> free(Stmt s) {
        return free(List.of(s));
    }

    private static void use(List<Stmt> body, Set<Var> out) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Eqn e) out.addAll(e.in());
            else if (s instanceof Stmt.Fused f) use(fusedBody(f), out);
            else if (s instanceof Stmt.Call c) out.addAll(c.in());
            else if (s instanceof Stmt.Loop l) {
                for (Var v : l.init()) if (v != null) out.add(v);
                if (l.runTime() != null) {
                    use(l.runTime().head(), out);
                    if (l.runTime().cond() != null) out.add(l.runTime().cond());
                    if (l.runTime().count() != null) out.add(l.runTime().count());
                }
                use(l.body(), out);
                for (Var v : l.results()) if (v != null) out.add(v);
                out.addAll(l.stacked());
            } else if (s instanceof Stmt.Cond c) {
                if (c.cond() != null) out.add(c.cond());
                use(c.then(), out);
                use(c.otherwise(), out);
                for (Var v : c.thenResults()) if (v != null) out.add(v);
                for (Var v : c.elseResults()) if (v != null) out.add(v);
            } else if (s instanceof Stmt.CheckReport c) {
                for (Stmt.CheckEntry e : c.entries()) {
                    out.add(e.generated());
                    if (e.handWritten() != null) out.add(e.handWritten());
                    out.add(e.finiteDifferences());
                }
            } else if (s instanceof Stmt.Save v) out.add(v.value());
            else if (s instanceof Stmt.GradSet g && g.value() != null) out.add(g.value());
            else if (s instanceof Stmt.GradAccum g) out.add(g.delta());
            else if (s instanceof Stmt.AssertClose a) {
                out.add(a.a());
                out.add(a.b());
            } else if (s instanceof Stmt.Fail f) {
                for (Stmt.PrintItem item : f.message()) out.addAll(item.vars());
            } else if (s instanceof Stmt.Print p) {
                for (Stmt.PrintItem item : p.items()) {
                    if (item instanceof Stmt.PrintItem.TensorValue t) {
                        out.add(t.var());
                        if (t.firstIndex() != null) out.add(t.firstIndex());
                    } else if (item instanceof Stmt.PrintItem.FloatValue f) out.add(f.var());
                    else if (item instanceof Stmt.PrintItem.Formatted || item instanceof Stmt.PrintItem.Joined) out.addAll(item.vars());
                }
            }
        }
    }

    /** The block with every read of a variable in {@code map} replaced (definitions are not renamed). */
    public static List<Stmt> rename(List<Stmt> body, Map<Var, Var> map) {
        List<Stmt> out = new ArrayList<>(body.size());
        for (Stmt s : body) out.add(rename(s, map));
        return out;
    }

    private static List<Stmt.Eqn> renameEqns(List<Stmt.Eqn> eqns, Map<Var, Var> map) {
        List<Stmt.Eqn> out = new ArrayList<>(eqns.size());
        for (Stmt.Eqn e : eqns) out.add((Stmt.Eqn) rename(e, map));
        return out;
    }

    private static Var r(Var v, Map<Var, Var> map) {
        return v == null ? null : map.getOrDefault(v, v);
    }

    private static List<Var> rs(List<Var> vs, Map<Var, Var> map) {
        List<Var> out = new ArrayList<>(vs.size());
        for (Var v : vs) out.add(r(v, map));
        return out;
    }

    private static Stmt rename(Stmt s, Map<Var, Var> map) {
        if (s instanceof Stmt.Eqn e) return new Stmt.Eqn(e.prim(), rs(e.in(), map), e.out(), e.attr(), e.origin());
        if (s instanceof Stmt.Loop l) {
            Stmt.RunTime rt = l.runTime() == null ? null : l.runTime().withHead(rename(l.runTime().head(), map), r(l.runTime().cond(), map), r(l.runTime().count(), map));
            return new Stmt.Loop(l.count(), l.index(), rs(l.init(), map), l.params(), rename(l.body(), map), rs(l.results(), map), l.outs(),
                    rs(l.stacked(), map), l.tapes(), l.reverse(), l.origin(), rt);
        }
        if (s instanceof Stmt.Cond c) {
            return new Stmt.Cond(r(c.cond(), map), rename(c.then(), map), rs(c.thenResults(), map), rename(c.otherwise(), map),
                    rs(c.elseResults(), map), c.outs(), c.origin());
        }
        if (s instanceof Stmt.Call c) return new Stmt.Call(c.fn(), rs(c.in(), map), c.outs(), c.origin());
        if (s instanceof Stmt.Fused f) return new Stmt.Fused(f.shape(), renameEqns(f.eqns(), map), renameEqns(f.sums(), map), f.outs(), f.origin());
        if (s instanceof Stmt.GradSet g) return new Stmt.GradSet(g.leaf(), r(g.value(), map), g.origin());
        if (s instanceof Stmt.Save v) return new Stmt.Save(r(v.value(), map), v.path(), v.file(), v.origin());
        if (s instanceof Stmt.CheckReport c) {
            List<Stmt.CheckEntry> entries = new ArrayList<>();
            for (Stmt.CheckEntry e : c.entries()) {
                entries.add(new Stmt.CheckEntry(e.input(), e.param(), r(e.generated(), map), r(e.handWritten(), map), r(e.finiteDifferences(), map)));
            }
            return new Stmt.CheckReport(c.text(), entries, c.tol(), c.fdTol(), c.inputs(), c.origin());
        }
        if (s instanceof Stmt.GradAccum g) return new Stmt.GradAccum(g.leaf(), r(g.delta(), map), g.origin());
        if (s instanceof Stmt.AssertClose a) return new Stmt.AssertClose(r(a.a(), map), r(a.b(), map), a.rtol(), a.atol(), a.text(), a.origin());
        if (s instanceof Stmt.Fail f) return new Stmt.Fail(f.message().stream().map(item -> item.map(x -> r(x, map))).toList(), f.origin(), f.assertion());
        if (s instanceof Stmt.Print p) {
            List<Stmt.PrintItem> items = new ArrayList<>();
            for (Stmt.PrintItem item : p.items()) {
                if (item instanceof Stmt.PrintItem.TensorValue t) items.add(new Stmt.PrintItem.TensorValue(r(t.var(), map), t.suffix(), r(t.firstIndex(), map), t.firstSuffix()));
                else if (item instanceof Stmt.PrintItem.FloatValue f) items.add(new Stmt.PrintItem.FloatValue(r(f.var(), map)));
                else items.add(item.map(x -> r(x, map)));
            }
            return new Stmt.Print(items, p.sep(), p.end(), p.origin());
        }
        return s;
    }
}
