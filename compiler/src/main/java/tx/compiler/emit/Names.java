package tx.compiler.emit;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The names of one emitted function (or class), shared by the emitters that write code: each
 * name once, the user's own where it is free ({@code h}, then {@code h_2}, {@code h_3}), and
 * temporaries {@code t1}, {@code t2}, ... in order, skipping the names taken or kept for later.
 */
final class Names {
    private final Set<String> taken = new HashSet<>();
    /** Names that temporaries skip although they are not taken yet (the user's, given later). */
    private final Set<String> kept = new HashSet<>();
    /** Where the search for a free suffix of each base left off: linear, not quadratic, in repeats. */
    private final Map<String, Integer> suffixes = new HashMap<>();
    private int temps;

    void take(String name) {
        taken.add(name);
    }

    void takeAll(Iterable<String> names) {
        for (String n : names) taken.add(n);
    }

    /** A name no temporary takes (it is the user's, and may be given later). */
    void keep(String name) {
        kept.add(name);
    }

    /** The name itself if it is free, else name_2, name_3, .... */
    String fresh(String base) {
        String name = base;
        int k = suffixes.getOrDefault(base, 2);
        while (taken.contains(name)) name = base + "_" + k++;
        suffixes.put(base, k);
        taken.add(name);
        return name;
    }

    /** A temporary's name: t1, t2, ... (skipping names taken or kept). */
    String temp() {
        String name;
        do name = "t" + ++temps; while (taken.contains(name) || kept.contains(name));
        taken.add(name);
        return name;
    }
}
