package tx.compiler.emit;

import java.util.List;
import tx.runtime.ir.Attrs;
import tx.runtime.ir.Prim;
import tx.runtime.ir.Stmt.Eqn;
import tx.runtime.ir.Var;

/** How {@link TxEmitter} writes transposes (as swaps of two axes, or {@code .T}), convolutions and pooling, and the primitives with no surface form. */
final class TxOps {
    private final TxEmitter t;

    TxOps(TxEmitter t) {
        this.t = t;
    }

    /** A permutation as a sequence of swaps of two axes (transpose takes two), or {@code .T} for a matrix. */
    TxEmitter.Expr transpose(Eqn e) {
        int[] perm = ((Attrs.Perm) e.attr()).perm().clone();
        int[] current = new int[perm.length]; // current[i]: which input axis sits at position i
        for (int i = 0; i < perm.length; i++) current[i] = i;
        String text = t.arg(e.in().get(0));
        boolean any = false;
        for (int i = 0; i < perm.length; i++) {
            if (current[i] == perm[i]) continue;
            int j = i + 1;
            while (current[j] != perm[i]) j++;
            int tmp = current[i];
            current[i] = current[j];
            current[j] = tmp;
            text = "transpose(" + text + ", " + i + ", " + j + ")";
            any = true;
        }
        if (perm.length == 2 && perm[0] == 1) return new TxEmitter.Expr(t.ref(e.in().get(0), TxEmitter.ATOM) + ".T", TxEmitter.ATOM);
        return any ? new TxEmitter.Expr(text, TxEmitter.ATOM) : new TxEmitter.Expr(t.ref(e.in().get(0), TxEmitter.ATOM), TxEmitter.ATOM);
    }

    /**
     * A convolution as conv1d/conv2d, its gradients as PyTorch's torch.nn.grad functions
     * (conv2d_input(input_size, weight, grad_output, ...), conv2d_weight(input, weight_size, grad_output, ...)),
     * max pooling as max_pool1d/2d, and its adjoint and its second derivative as tx's
     * max_pool2d_backward(grad_output, x, ...) and max_pool2d_pick(x, v, ...).
     */
    TxEmitter.Expr convolution(Eqn e) {
        List<Var> in = e.in();
        int rank = in.get(0).rank();
        String d = rank == 4 ? "2d" : "1d";
        if (e.attr() instanceof Attrs.Pool p) {
            String geometry = "kernel_size=" + TxText.pair(p.kernel(), rank) + ", stride=" + TxText.pair(p.stride(), rank) + ", padding=" + TxText.pair(p.padding(), rank)
                    + ", dilation=" + TxText.pair(p.dilation(), rank) + (p.ceil() ? ", ceil_mode=true" : "");
            if (e.prim() == Prim.MAX_UNPOOL) return t.call("max_pool" + d + "_backward", t.arg(in.get(1)), t.arg(in.get(0)), geometry);
            return in.get(0) == in.get(1) ? t.call("max_pool" + d, t.arg(in.get(0)), geometry) : t.call("max_pool" + d + "_pick", t.arg(in.get(0)), t.arg(in.get(1)), geometry);
        }
        Attrs.Conv c = (Attrs.Conv) e.attr();
        String geometry = "stride=" + TxText.pair(c.stride(), rank) + ", padding=" + TxText.pair(c.padding(), rank) + ", dilation=" + TxText.pair(c.dilation(), rank)
                + ", groups=" + c.groups();
        return switch (e.prim()) {
            case CONV -> t.call("conv" + d, t.arg(in.get(0)), t.arg(in.get(1)), in.size() == 3 ? t.arg(in.get(2)) : "None", geometry);
            case CONV_INPUT -> t.call("conv" + d + "_input", t.shape(e.out()), t.arg(in.get(1)), t.arg(in.get(0)), geometry);
            default -> t.call("conv" + d + "_weight", t.arg(in.get(0)), t.shape(e.out()), t.arg(in.get(1)), geometry);
        };
    }

    /** torch.max(x, dim)'s one-hot choice of the first maximum, with arange, amax and ==. */
    TxEmitter.Expr firstMax(Eqn e) {
        int axis = ((Attrs.Axis) e.attr()).axis();
        Var x = e.in().get(0);
        Sizes.Lin k = t.attr(e, q -> q.in().get(0).shapeRef()[axis], "a size");
        String[] ones = new String[x.rank()];
        for (int i = 0; i < ones.length; i++) ones[i] = i == axis ? t.size(k) : "1";
        String pos = t.temp("reshape(arange(" + t.size(k) + "), [" + String.join(", ", ones) + "])", e);
        String xs = t.ref(x, TxEmitter.ATOM);
        if (!t.isName(x)) xs = t.temp(t.arg(x), e);
        String top = "where(" + xs + " == amax(" + xs + ", dim=" + axis + ", keepdim=true), " + pos + ", " + t.size(k) + ")";
        String first = t.temp("-amax(-" + top + ", dim=" + axis + ", keepdim=true)", e);
        return new TxEmitter.Expr(pos + " == " + first, TxEmitter.CMP);
    }

    /**
     * The product of the other elements of each group, exact where x has zeros: with no zero it is
     * prod / x; with one zero, the product of the rest at the zero and 0 elsewhere; with more, 0.
     */
    TxEmitter.Expr prodOthers(Eqn e) {
        int[] axes = ((Attrs.Reduce) e.attr()).axes();
        Var x = e.in().get(0);
        String xs = t.isName(x) ? t.ref(x, TxEmitter.ATOM) : t.temp(t.arg(x), e);
        String dims = "dim=" + t.dimList(axes) + ", keepdim=true";
        String zeros = t.temp("sum(" + xs + " == 0, " + dims + ")", e);
        String safe = t.temp("where(" + xs + " == 0, 1, " + xs + ")", e);
        String rest = t.temp("prod(" + safe + ", " + dims + ")", e);
        return t.call("where", zeros + " == 0", rest + " / " + safe, "where((" + zeros + " == 1) * (" + xs + " == 0), " + rest + ", 0)");
    }
}
