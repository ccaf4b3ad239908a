package tx.compiler.lower;

import tx.compiler.check.Val;

/**
 * PyTorch's deprecated {@code size_average=} and {@code reduce=} on the losses
 * (torch.nn._reduction.legacy_get_string): when either is given (not None), it decides the reduction
 * and {@code reduction=} is ignored; a None counts as True; "mean" when both are true, "sum" when only
 * reduce is, "none" when reduce is False. PyTorch warns (a UserWarning, which Python shows once
 * for each message); tx warns W0231 at each call that gives them, when it compiles.
 */
final class LegacyReduction {
    private LegacyReduction() {}

    /** The keywords a loss takes, with the two deprecated ones. */
    static String[] with(String... keywords) {
        String[] all = java.util.Arrays.copyOf(keywords, keywords.length + 2);
        all[keywords.length] = "size_average";
        all[keywords.length + 1] = "reduce";
        return all;
    }

    /** The call's reduction: from size_average=/reduce= when one is given (with W0231), else its reduction= (one of allowed, "mean" by default). */
    static String of(Lowerer l, Builtins host, Args a, String... allowed) {
        if (!given(a)) return host.choice(a, -1, "reduction", "mean", allowed);
        boolean size = given(a, "size_average"), reduce = given(a, "reduce");
        boolean average = !size || a.bool(-1, "size_average", true), reduced = !reduce || a.bool(-1, "reduce", true);
        if (a.failed) return null;
        String r = average && reduced ? "mean" : reduced ? "sum" : "none";
        l.diags.warning("W0231", a.spanOf(-1, size ? "size_average" : "reduce"), "size_average and reduce args will be deprecated, please use reduction='" + r + "' instead.",
                "write `reduction=\"" + r + "\"` (PyTorch's mapping: tx computes that reduction" + (a.get(-1, "reduction") != null ? ", and ignores the reduction= given, as PyTorch does)" : ")"));
        return r;
    }

    /** Whether the call gives size_average= or reduce= (other than None). */
    static boolean given(Args a) {
        return given(a, "size_average") || given(a, "reduce");
    }

    private static boolean given(Args a, String keyword) {
        Val v = a.get(-1, keyword);
        return v != null && !(v instanceof Val.None);
    }
}
