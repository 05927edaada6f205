/**
 * Pure models, layers, initialisations and losses over one flat parameter vector.
 *
 * <p>A {@link org.sgdlab.nn.Model} is (layout, init, apply): {@code apply(theta, x)} is a plain
 * function of the flat vector theta, whose named blocks are described by a
 * {@link org.sgdlab.nn.Layout}; there is no hidden state and no train flag. Layers are models
 * and compose with {@link org.sgdlab.nn.Serial#of} (names {@code 0.weight}, {@code 0.bias},
 * {@code 2.weight}, ... as in a PyTorch {@code nn.Sequential} state_dict). Losses
 * ({@link org.sgdlab.nn.Loss}) give the per-example vector and the mean, with the squared-loss
 * convention of QUANTITIES.md Q2 explicit ({@link org.sgdlab.nn.MseConvention}).
 *
 * <p>Decisions (where the sources are silent):
 * <ul>
 *   <li>Init determinism: blocks are drawn in layout order, each row-major, one generator call
 *       per entry; parameter-free layers and constant inits draw nothing.</li>
 *   <li>NTK parametrisation: the forward pass multiplies W x by 1/sqrt(fan_in); biases are not
 *       scaled and default to zeros; weights default to N(0, 1).</li>
 *   <li>RMS normalisation normalises each sample over all its non-batch axes.</li>
 *   <li>Diagonal networks default to the zero-predictor init (beta_0 = 0) of STUDIES.md:
 *       u = 0.1, v = 0 for beta = u*v; u = v = 1 for beta = u*u - v*v.</li>
 * </ul>
 *
 * <p>Depends only on {@code org.sgdlab.tensor} and {@code org.sgdlab.autodiff}.
 */
package org.sgdlab.nn;
