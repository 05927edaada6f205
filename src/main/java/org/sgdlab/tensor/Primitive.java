package org.sgdlab.tensor;

/**
 * The primitive operations a {@link Tensor} records when it depends on a differentiable input.
 *
 * <p>Every other operation (relu, softmax, cross-entropy, mean, conv2d, pooling, ...) is a
 * composition of these. Each primitive has exactly one gradient rule, written in tensor ops, in
 * {@code org.sgdlab.autodiff.Rules}; a completeness test fails if one is missing.
 */
public enum Primitive {
    /** A variable of a transform: identity on its input (if any), a sink for that transform. */
    VAR,
    // binary, numpy broadcasting
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    /** {@code a (1 - b^2)} in one pass: tanh's derivative applied to a cotangent. */
    MUL_ONE_MINUS_SQUARE,
    // unary
    NEG, EXP, LOG, TANH, SIGMOID, SQRT, ABS, SIGN, ERF,
    // selection and comparison (comparisons are piecewise constant: zero gradient)
    WHERE, COMPARE,
    // reductions over axes
    SUM, MAX,
    // shape
    RESHAPE, PERMUTE, EXPAND, SLICE, PAD, CONCAT,
    // indexing: index-select along an axis and its adjoint, scatter-add into zeros
    INDEX_SELECT, INDEX_ADD,
    // products
    MATMUL,
    // sliding windows (im2col) and their adjoint (col2im)
    UNFOLD, FOLD
}
