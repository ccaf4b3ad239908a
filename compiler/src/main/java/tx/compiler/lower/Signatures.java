package tx.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tx.compiler.syntax.Ast;

/** A function signature's shapes against the shapes of a call's arguments or of its results. */
final class Signatures {
    private Signatures() {}

    /** Whether a shape fits a signature, binding its named dimensions (which must agree wherever they appear). */
    static boolean matches(List<Ast.Dim> sig, int[] shape, Map<String, Integer> dims) {
        if (sig.size() != shape.length) return false;
        for (int i = 0; i < shape.length; i++) {
            Ast.Dim d = sig.get(i);
            if (d.name() == null) {
                if (d.size() != shape[i]) return false;
            } else if (dims.containsKey(d.name())) {
                if (dims.get(d.name()) != shape[i]) return false;
            } else {
                dims.put(d.name(), shape[i]);
            }
        }
        return true;
    }

    static String show(List<Ast.Dim> sig) {
        List<String> parts = new ArrayList<>();
        for (Ast.Dim d : sig) parts.add(d.name() != null ? d.name() : Integer.toString(d.size()));
        return "[" + String.join(", ", parts) + "]";
    }

    static String bindings(Map<String, Integer> dims) {
        if (dims.isEmpty()) return "";
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : dims.entrySet()) parts.add(e.getKey() + " = " + e.getValue());
        return " (with " + String.join(", ", parts) + ")";
    }
}
