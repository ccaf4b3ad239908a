package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tx.compiler.check.Val;
import tx.compiler.syntax.Ast;
import tx.compiler.syntax.Span;

/**
 * Python's keyword parameters beyond plain ones: {@code **kwargs}, which collects the keyword
 * arguments that name no other parameter into a dict (in the order the call gives them), and the
 * keyword-only parameters after {@code *args} or a bare {@code *}, which only a keyword (or their
 * default) can give. {@code f(**d)} at a call is {@link Unpacking}'s.
 */
final class Keywords {
    private Keywords() {}

    /**
     * Whether a {@code fn}'s parameters are in an order Python takes: one {@code *args} (or bare
     * {@code *}) at most, followed by a keyword-only parameter if bare, and one {@code **kwargs} at
     * most, last (Python's SyntaxErrors); E0127 at the first that is not.
     */
    static boolean ordered(Lowerer l, Ast.FnDef f) {
        List<Ast.Param> ps = f.params();
        int star = -1;
        for (int i = 0; i < ps.size(); i++) {
            Ast.Param p = ps.get(i);
            if (i > 0 && Parameters.KWARGS.equals(ps.get(i - 1).kind())) {
                return refuse(l, p.span(), "`" + p.name() + "` follows `**" + ps.get(i - 1).name() + "`",
                        "`**" + ps.get(i - 1).name() + "` takes the remaining keyword arguments, so it goes last");
            }
            if (Parameters.STAR.equals(p.kind()) && star >= 0) {
                return refuse(l, p.span(), "`*` may appear only once", "one `*args` (or bare `*`) and one `**kwargs` at most; the parameters after `*` are keyword-only");
            }
            if (Parameters.STAR.equals(p.kind())) star = i;
            boolean bare = Ast.Param.BARE.equals(p.name()) && Parameters.STAR.equals(p.kind());
            if (bare && (i + 1 == ps.size() || Parameters.KWARGS.equals(ps.get(i + 1).kind()))) {
                return refuse(l, p.span(), "a bare `*` must be followed by a keyword-only parameter", "Python's SyntaxError, \"named arguments must follow bare *\"");
            }
        }
        return true;
    }

    private static boolean refuse(Lowerer l, Span at, String what, String help) {
        l.diags.error("E0127", at, what, help);
        return false;
    }

    /**
     * A call's arguments as the function's parameters take them: the keywords that name no
     * parameter, packed into its {@code **kwargs} dict, then the positional ones beyond
     * {@code *args}'s place into its tuple ({@link Closures#packStar}); null after E0104.
     */
    static Args pack(Lowerer l, Val.FnRef ref, List<String> params, Args a) {
        Ast.FnDef f = ref instanceof Val.UserFn u ? l.functions.defs.get(u.name()) : null;
        int kw = f == null ? -1 : LambdaParams.kwargs(f);
        if (kw >= 0) a = packKwargs(l, ref, f, params, kw, a);
        return a == null ? null : l.functions.closures.packStar(ref, params, a);
    }

    private static Args packKwargs(Lowerer l, Val.FnRef ref, Ast.FnDef f, List<String> params, int kw, Args a) {
        int star = LambdaParams.star(f);
        if (star < 0 && a.pos.size() > kw) { // Python's TypeError: the positional parameters are those before `**kwargs`
            l.diags.error("E0104", a.posSpans.get(kw), "`" + ref.show() + "` takes " + kw + " positional argument" + (kw == 1 ? "" : "s") + ", got " + a.pos.size(),
                    "`**" + params.get(kw) + "` takes keyword arguments only");
            return null;
        }
        Args out = new Args(l, a.fn, a.call);
        out.pos.addAll(a.pos);
        out.posSpans.addAll(a.posSpans);
        List<Val> keys = new ArrayList<>(), values = new ArrayList<>();
        for (Map.Entry<String, Val> e : a.kw.entrySet()) {
            int k = params.indexOf(e.getKey());
            if (k >= 0 && k != kw && k != star) {
                out.kw.put(e.getKey(), e.getValue());
                out.kwSpans.put(e.getKey(), a.kwSpans.get(e.getKey()));
            } else { // a name of no parameter (or of `*args` or `**kwargs` itself, which take no keyword): an item of the dict
                keys.add(new Val.Str(e.getKey()));
                values.add(e.getValue());
            }
        }
        out.kw.put(params.get(kw), new Val.DictV(keys, values));
        out.kwSpans.put(params.get(kw), a.span());
        return out;
    }
}
