package org.sgdlab.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * The map from names to pieces of one flat parameter vector theta: an ordered list of blocks
 * {@code name -> (offset, shape)} that tile {@code [0, size())} without gaps, in order.
 *
 * <p>{@code view(theta, "0.weight") = theta[offset : offset + n].reshape(shape)}. Views of a traced
 * theta are cheap to differentiate: the backward pass writes the cotangents of the slices of one
 * vector into a single array (a weight's product straight into its region). Composite models build their layouts with
 * {@link #prefixed(String)} and {@link #concat(Layout...)}, so a serial network gets
 * PyTorch-style names such as {@code 0.weight}, {@code 0.bias}, {@code 2.weight}.
 *
 * <p>Immutable; equal when the blocks (names, offsets, shapes) are equal.
 */
public final class Layout {

    /** One named block of the parameter vector. */
    public static final class Block {
        private final String name;
        private final int offset;
        private final int[] shape;
        private final int size;

        Block(String name, int offset, int[] shape) {
            this.name = name;
            this.offset = offset;
            this.shape = shape.clone();
            int n = 1;
            for (int s : shape) {
                n = Math.multiplyExact(n, s);
            }
            this.size = n;
        }

        public String name() {
            return name;
        }

        /** Index of the block's first element in theta. */
        public int offset() {
            return offset;
        }

        /** A copy of the block's shape. */
        public int[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public int size() {
            return size;
        }

        /** One past the block's last index in theta. */
        public int end() {
            return offset + size;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Block b && b.name.equals(name) && b.offset == offset && Arrays.equals(b.shape, shape);
        }

        @Override
        public int hashCode() {
            return (name.hashCode() * 31 + offset) * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape) + " @" + offset;
        }
    }

    private static final Layout EMPTY = new Layout(List.of());

    private final List<Block> blocks;
    private final Map<String, Block> byName;
    private final int size;

    private Layout(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
        Map<String, Block> m = new LinkedHashMap<>();
        int n = 0;
        for (Block b : blocks) {
            m.put(b.name, b);
            n = Math.addExact(n, b.size);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.size = n;
    }

    /** The layout with no parameters (activations, pooling, flatten). */
    public static Layout empty() {
        return EMPTY;
    }

    /** A layout of one block. */
    public static Layout of(String name, int... shape) {
        return builder().add(name, shape).build();
    }

    /** Builds a layout block by block; offsets follow the order of {@code add}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Accumulates blocks in order. */
    public static final class Builder {
        private final List<Block> blocks = new ArrayList<>();
        private final Map<String, Block> names = new LinkedHashMap<>();
        private int offset;

        private Builder() {
        }

        /** Appends block {@code name} of the given shape (every dimension >= 1). */
        public Builder add(String name, int... shape) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("layout: block names must be non-empty, got '" + name + "'");
            }
            if (names.containsKey(name)) {
                throw new IllegalArgumentException("layout: duplicate block name '" + name + "'; names so far: "
                        + String.join(", ", names.keySet()));
            }
            for (int s : shape) {
                if (s < 1) {
                    throw new IllegalArgumentException("layout: block '" + name + "' has shape " + Arrays.toString(shape)
                            + "; every dimension must be >= 1");
                }
            }
            Block b = new Block(name, offset, shape);
            blocks.add(b);
            names.put(name, b);
            offset = Math.addExact(offset, b.size);
            return this;
        }

        public Layout build() {
            return blocks.isEmpty() ? EMPTY : new Layout(blocks);
        }
    }

    /**
     * The layouts one after another (offsets shifted), as a composite model lays out its parts.
     * Names must be unique across the parts: prefix them first ({@link #prefixed}).
     */
    public static Layout concat(Layout... parts) {
        Builder b = builder();
        for (Layout p : parts) {
            for (Block blk : p.blocks) {
                b.add(blk.name, blk.shape);
            }
        }
        return b.build();
    }

    /** The same blocks named {@code prefix + "." + name}. */
    public Layout prefixed(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("layout: prefix must be non-empty, got '" + prefix + "'");
        }
        Builder b = builder();
        for (Block blk : blocks) {
            b.add(prefix + "." + blk.name, blk.shape);
        }
        return b.build();
    }

    /** Total number of parameters (the length of theta). */
    public int size() {
        return size;
    }

    /** The block names in order. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The blocks in order. */
    public List<Block> blocks() {
        return blocks;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The block called {@code name}; unknown names fail and list the known ones. */
    public Block block(String name) {
        Block b = byName.get(name);
        if (b == null) {
            throw new IllegalArgumentException("layout: unknown block '" + name + "'; known: "
                    + (byName.isEmpty() ? "(none: the layout is empty)" : String.join(", ", byName.keySet())));
        }
        return b;
    }

    /** {@code theta[offset : offset + n].reshape(shape)} for block {@code name}. */
    public Tensor view(Tensor theta, String name) {
        check("view", theta);
        Block b = block(name);
        return theta.slice(0, b.offset, b.end()).reshape(b.shape);
    }

    /**
     * Joins named blocks into theta (the inverse of {@link #unflatten}). The map must hold exactly
     * this layout's names, each with its block's shape; order of the map does not matter. Traced
     * blocks stay traced.
     */
    public Tensor flatten(Map<String, Tensor> parts) {
        List<String> missing = new ArrayList<>();
        for (String n : byName.keySet()) {
            if (!parts.containsKey(n)) {
                missing.add(n);
            }
        }
        List<String> extra = new ArrayList<>();
        for (String n : parts.keySet()) {
            if (!byName.containsKey(n)) {
                extra.add(n);
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException("layout.flatten: names do not match the layout"
                    + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing))
                    + (extra.isEmpty() ? "" : "; unknown: " + String.join(", ", extra))
                    + "; known: " + String.join(", ", byName.keySet()));
        }
        if (blocks.isEmpty()) {
            return Tensor.zeros(0);
        }
        Tensor[] flat = new Tensor[blocks.size()];
        for (int i = 0; i < flat.length; i++) {
            Block b = blocks.get(i);
            Tensor t = parts.get(b.name);
            if (!Arrays.equals(t.shape(), b.shape)) {
                throw new IllegalArgumentException("layout.flatten: block '" + b.name + "' has shape "
                        + Arrays.toString(t.shape()) + " but the layout expects " + Arrays.toString(b.shape));
            }
            flat[i] = t.reshape(b.size);
        }
        return Tensor.concat(0, flat);
    }

    /** The named blocks of theta, in layout order. */
    public LinkedHashMap<String, Tensor> unflatten(Tensor theta) {
        check("unflatten", theta);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (Block b : blocks) {
            out.put(b.name, theta.slice(0, b.offset, b.end()).reshape(b.shape));
        }
        return out;
    }

    /** A zero parameter vector of this layout's size. */
    public Tensor zeros() {
        return Tensor.zeros(size);
    }

    /**
     * Fails unless theta is a vector of length {@link #size()}; {@code op} names the caller in the
     * message.
     */
    public void check(String op, Tensor theta) {
        if (theta.rank() != 1 || theta.size() != size) {
            throw new IllegalArgumentException(op + ": parameter vector has shape " + Arrays.toString(theta.shape())
                    + " but the layout needs [" + size + "] (" + blocks.size() + " blocks: " + summary() + ")");
        }
    }

    private String summary() {
        if (blocks.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(blocks.size(), 6);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Block b = blocks.get(i);
            sb.append(b.name).append(' ').append(Arrays.toString(b.shape));
        }
        if (blocks.size() > shown) {
            sb.append(", ...");
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && l.blocks.equals(blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Layout[").append(size).append("]{");
        for (int i = 0; i < blocks.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(blocks.get(i));
        }
        return sb.append('}').toString();
    }
}
