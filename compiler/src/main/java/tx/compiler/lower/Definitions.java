package tx.compiler.lower;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import tx.compiler.syntax.Ast;

/**
 * A name defined more than once (a notebook's {@code f_2d} per section; LANGUAGE.md §7, v2): one
 * function per definition, the last keeping the name (the one Python's module holds once the
 * script has run) and each earlier one a key no program can spell ({@code f#1}). The name stands
 * for its first definition until the script reaches the next, as Python's later {@code def}
 * replaces the earlier from where it stands on.
 */
final class Definitions {
    /** What to forget when a name changes definition: what was lowered or analysed through the old one. */
    private final Runnable forget;

    /** Each definition's key, by identity. */
    private final Map<Ast.FnDef, String> keys = new IdentityHashMap<>();

    /** The definition each name stands for now: the script's statements so far decide. */
    private final Map<String, String> bound = new HashMap<>();

    Definitions(Runnable forget) {
        this.forget = forget;
    }

    /** The k-th of {@code count} definitions of its name: the definition to register, under its key as its name. */
    Ast.FnDef register(Ast.FnDef f, int k, int count) {
        String key = k == count ? f.name() : f.name() + "#" + k; // `#` starts a comment: no program spells it
        keys.put(f, key);
        bound.putIfAbsent(f.name(), key);
        return key.equals(f.name()) ? f : new Ast.FnDef(key, f.params(), f.returns(), f.body(), f.span());
    }

    /** The name a key stands for, as messages show it. */
    static String shown(String key) {
        int hash = key.indexOf('#');
        return hash < 0 ? key : key.substring(0, hash);
    }

    /** The key of the definition a function's name stands for at this point of the script. */
    String resolve(String name) {
        return bound.getOrDefault(name, name);
    }

    /** The key of one definition (for `tx check`, which checks each). */
    String keyOf(Ast.FnDef f) {
        return keys.getOrDefault(f, f.name());
    }

    /** The script reaches a definition: from here on its name calls it. */
    void reached(Ast.FnDef f) {
        if (keys.containsKey(f)) rebind(f.name(), keys.get(f));
    }

    /**
     * Binds every name to its last definition, as Python's module holds them once the script has
     * run: for calls from outside the script (`tx grad --fn`, `tx bench`, the Java API).
     */
    void bindLast() {
        for (String name : bound.keySet()) rebind(name, name);
    }

    private void rebind(String name, String key) {
        if (key.equals(bound.get(name))) return;
        bound.put(name, key);
        forget.run();
    }
}
