package dev.auditkit.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiled diff rules: a trie of path patterns walked alongside the values being compared, so a
 * rule check costs one step per property instead of a pattern match per path. Patterns are
 * property names separated by dots; {@code *} matches one name, {@code **} any number of names
 * (zero included); list positions are transparent ({@code items.qty} matches {@code items[3].qty}).
 */
public final class RuleTree {
  static final int IGNORE = 1;
  static final int MASK = 2;
  static final int ONLY = 4;

  /** No rules at all: every step returns the same state without allocating. */
  public static final RuleTree EMPTY = new RuleTree(new Node(), false);

  private final Node root;
  private final boolean hasOnly;
  private final State start;

  private RuleTree(Node root, boolean hasOnly) {
    this.root = root;
    this.hasOnly = hasOnly;
    this.start = hasOnly || !root.children.isEmpty() || root.star != null || root.doubleStar != null
        ? State.of(this, closure(List.of(root)), false)
        : State.empty(this);
  }

  /**
   * Compiles patterns; each list may be empty.
   *
   * @throws IllegalArgumentException for a blank pattern or an empty segment
   */
  public static RuleTree compile(List<String> ignore, List<String> only, List<String> mask, Map<String, String> identityKeys) {
    if (ignore.isEmpty() && only.isEmpty() && mask.isEmpty() && identityKeys.isEmpty()) {
      return EMPTY;
    }
    Node root = new Node();
    ignore.forEach(p -> insert(root, p).flags |= IGNORE);
    only.forEach(p -> insert(root, p).flags |= ONLY);
    mask.forEach(p -> insert(root, p).flags |= MASK);
    identityKeys.forEach((p, key) -> insert(root, p).identityKey = key);
    root.computeLeadsToOnly();
    return new RuleTree(root, !only.isEmpty());
  }

  /** Splits and checks a pattern: dot-separated names, {@code *}, {@code **}; {@code [..]} parts dropped. */
  public static List<String> segments(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("a path pattern must not be null or blank");
    }
    if (pattern.length() > 1024) {
      throw new IllegalArgumentException("a path pattern must be at most 1024 characters, got " + pattern.length());
    }
    for (int i = 0; i < pattern.length(); i++) {
      if (Character.isISOControl(pattern.charAt(i))) {
        throw new IllegalArgumentException("a path pattern must not contain control characters: "
            + Text.singleLine(pattern, 64));
      }
    }
    List<String> out = new ArrayList<>();
    for (String raw : pattern.split("\\.", -1)) {
      String s = raw.replaceAll("\\[[^\\]]*\\]", "").strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException("path pattern \"" + pattern + "\" has an empty segment");
      }
      out.add(s);
    }
    return out;
  }

  private static Node insert(Node root, String pattern) {
    Node n = root;
    for (String s : segments(pattern)) {
      if (s.equals("**")) {
        if (n.doubleStar == null) {
          n.doubleStar = new Node();
          n.doubleStar.isDoubleStar = true;
        }
        n = n.doubleStar;
      } else if (s.equals("*")) {
        n = n.star == null ? (n.star = new Node()) : n.star;
      } else {
        n = n.children.computeIfAbsent(s, k -> new Node());
      }
    }
    return n;
  }

  private static Node[] closure(List<Node> nodes) {
    List<Node> out = new ArrayList<>(nodes.size() + 2);
    for (Node n : nodes) {
      addClosure(out, n);
    }
    return out.toArray(new Node[0]);
  }

  private static void addClosure(List<Node> out, Node n) {
    for (Node o : out) {
      if (o == n) {
        return;
      }
    }
    out.add(n);
    if (n.doubleStar != null) {
      addClosure(out, n.doubleStar);
    }
  }

  /** The state at the root of a value. */
  public State start() {
    return start;
  }

  public boolean isEmpty() {
    return this == EMPTY;
  }

  static final class Node {
    final Map<String, Node> children = new HashMap<>();
    Node star;
    Node doubleStar;
    boolean isDoubleStar;
    int flags;
    String identityKey;
    boolean leadsToOnly;

    boolean computeLeadsToOnly() {
      boolean any = (flags & ONLY) != 0;
      for (Node c : children.values()) {
        any |= c.computeLeadsToOnly();
      }
      if (star != null) {
        any |= star.computeLeadsToOnly();
      }
      if (doubleStar != null) {
        any |= doubleStar.computeLeadsToOnly();
      }
      leadsToOnly = any;
      return any;
    }
  }

  /** Where a walk stands in the rules: which patterns are still alive and what applies here. */
  public static final class State {
    private final RuleTree tree;
    private final Node[] nodes;
    private final int flags;
    private final boolean inOnly;
    private final boolean leadsToOnly;
    private final String identityKey;

    private State(RuleTree tree, Node[] nodes, int flags, boolean inOnly, boolean leadsToOnly, String identityKey) {
      this.tree = tree;
      this.nodes = nodes;
      this.flags = flags;
      this.inOnly = inOnly;
      this.leadsToOnly = leadsToOnly;
      this.identityKey = identityKey;
    }

    static State empty(RuleTree tree) {
      return new State(tree, new Node[0], 0, !tree.hasOnly, false, null);
    }

    static State of(RuleTree tree, Node[] nodes, boolean parentInOnly) {
      int flags = 0;
      boolean leads = false;
      String key = null;
      for (Node n : nodes) {
        flags |= n.flags;
        leads |= n.leadsToOnly;
        if (n.identityKey != null) {
          key = n.identityKey;
        }
      }
      boolean in = !tree.hasOnly || parentInOnly || (flags & ONLY) != 0;
      return new State(tree, nodes, flags, in, leads, key);
    }

    /** The state one property name further down. */
    public State child(String name) {
      if (nodes.length == 0) {
        return inOnly || !tree.hasOnly ? this : tree.emptyExcluded();
      }
      List<Node> next = new ArrayList<>(4);
      for (Node n : nodes) {
        Node c = n.children.get(name);
        if (c != null) {
          next.add(c);
        }
        if (n.star != null) {
          next.add(n.star);
        }
        if (n.isDoubleStar) {
          next.add(n);
        }
      }
      if (next.isEmpty()) {
        return inOnly ? tree.emptyIncluded() : tree.emptyExcluded();
      }
      return of(tree, closure(next), inOnly);
    }

    /** The property here is left out entirely. */
    public boolean ignored() {
      return (flags & IGNORE) != 0;
    }

    /** The property here is compared but its values are redacted. */
    public boolean masked() {
      return (flags & MASK) != 0;
    }

    /** Whether values here are recorded (true unless only-rules exist and none covers this path). */
    public boolean included() {
      return inOnly;
    }

    /** Neither this path nor anything below it is recorded. */
    public boolean excluded() {
      return !inOnly && !leadsToOnly;
    }

    /** The identity key for a list at this path, or null to compare by position. */
    public String identityKey() {
      return identityKey;
    }

    @Override
    public String toString() {
      return "State" + Arrays.toString(nodes) + " flags=" + flags + " inOnly=" + inOnly;
    }
  }

  private State includedEmpty;
  private State excludedEmpty;

  private State emptyIncluded() {
    State s = includedEmpty;
    if (s == null) {
      s = new State(this, new Node[0], 0, true, false, null);
      includedEmpty = s;
    }
    return s;
  }

  private State emptyExcluded() {
    State s = excludedEmpty;
    if (s == null) {
      s = new State(this, new Node[0], 0, false, false, null);
      excludedEmpty = s;
    }
    return s;
  }
}
