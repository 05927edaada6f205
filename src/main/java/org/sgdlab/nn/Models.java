package org.sgdlab.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Models by name, so run specs can say {@code model: mlp} with parameters (snake_case keys).
 * Unknown model names and unknown or ill-typed parameters fail and list what is valid.
 *
 * <p>The parameters of each (defaults in brackets) are listed in {@link #USAGE}, which errors quote.
 * Every model also takes {@code init_scale} [1] ({@link Model#withInitScale}). The image models also accept the
 * data sources' flat rows, read as channel-major images ({@code [N, C*H*W] -> [N, C, H, W]}; resnet-no-bn: square).
 */
public final class Models {

    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("mlp", "cohen-cnn", "resnet-no-bn", "two-layer-ntk",
            "diagonal-linear", "two-layer-linear", "scale-invariant");

    /** What each model takes (the table above), appended to a missing-parameter error. */
    static final Map<String, String> USAGE = Map.of(
            "mlp", "widths (list, required), activation [tanh], bias [true], parametrization [standard | ntk], "
                    + "weight_init, bias_init",
            "cohen-cnn", "channels, height, width, classes (required; flat rows are read as channels x height x "
                    + "width images: 1, 8, 8, 10 for digits, 1, 14, 14, 10 for fashion-mnist), widths [[32, 32]], "
                    + "activation [relu], pooling [max | avg]",
            "resnet-no-bn", "channels, classes (required; flat rows are read as square images), width [16], blocks [2],"
                    + " activation [relu]",
            "two-layer-ntk", "d, m (required), outputs [1], activation [relu], bias [false]",
            "diagonal-linear", "d (required), variant [product | squares], alpha [0.1 | 1], gaussian_scale (instead"
                    + " of alpha)",
            "two-layer-linear", "d, h, k (required), init_std [N(0, 1/fan_in) if absent]",
            "scale-invariant", "d, h, k (required), activation [relu]");

    private Models() {
    }

    /** The model called {@code name} built from {@code params}. */
    public static Model create(String name, Map<String, ?> params) {
        Params p = new Params(name, params);
        Model m;
        switch (name == null ? "" : name) {
            case "mlp": {
                Mlp mlp = Mlp.of(Activation.of(p.string("activation", "tanh")), p.ints("widths"))
                        .withBias(p.bool("bias", true))
                        .withParametrization(Parametrization.of(p.string("parametrization", "standard")));
                String wi = p.string("weight_init", null);
                String bi = p.string("bias_init", null);
                if (wi != null || bi != null) {
                    Dense first = (Dense) mlp.net().layers().get(0);
                    mlp = mlp.withInit(wi != null ? Init.of(wi) : first.weightInit(),
                            bi != null ? Init.of(bi) : first.biasInit());
                }
                m = mlp;
                break;
            }
            case "cohen-cnn":
                m = CohenCnn.of(p.integer("channels"), p.integer("height"), p.integer("width"), p.integer("classes"))
                        .withWidths(p.ints("widths", new int[] {32, 32}))
                        .withActivation(Activation.of(p.string("activation", "relu")))
                        .withPooling(p.string("pooling", "max"));
                break;
            case "resnet-no-bn":
                m = ResNetNoBn.of(p.integer("channels"), p.integer("classes"))
                        .withWidth(p.integer("width", 16))
                        .withBlocks(p.integer("blocks", 2))
                        .withActivation(Activation.of(p.string("activation", "relu")));
                break;
            case "two-layer-ntk":
                m = TwoLayerNtk.of(p.integer("d"), p.integer("m"))
                        .withOutputs(p.integer("outputs", 1))
                        .withActivation(Activation.of(p.string("activation", "relu")))
                        .withBias(p.bool("bias", false));
                break;
            case "diagonal-linear": {
                String variant = p.string("variant", "product");
                DiagonalLinearNet dln;
                if (variant.equals("product")) {
                    dln = DiagonalLinearNet.product(p.integer("d"));
                } else if (variant.equals("squares")) {
                    dln = DiagonalLinearNet.squares(p.integer("d"));
                } else {
                    throw new IllegalArgumentException("model 'diagonal-linear': unknown variant '" + variant
                            + "'; known: product (beta = u*v), squares (beta = u*u - v*v)");
                }
                Double alpha = p.optDouble("alpha");
                Double gauss = p.optDouble("gaussian_scale");
                if (alpha != null && gauss != null) {
                    throw new IllegalArgumentException("model 'diagonal-linear': give alpha or gaussian_scale, not both");
                }
                if (alpha != null) {
                    dln = dln.withAlpha(alpha);
                }
                if (gauss != null) {
                    dln = dln.withGaussianInit(gauss);
                }
                m = dln;
                break;
            }
            case "two-layer-linear": {
                TwoLayerLinear tl = TwoLayerLinear.of(p.integer("d"), p.integer("h"), p.integer("k"));
                Double std = p.optDouble("init_std");
                m = std == null ? tl : tl.withInit(Init.normal(std));
                break;
            }
            case "scale-invariant":
                m = ScaleInvariantNet.of(p.integer("d"), p.integer("h"), p.integer("k"))
                        .withActivation(Activation.of(p.string("activation", "relu")));
                break;
            default:
                throw new IllegalArgumentException("unknown model '" + name + "'; known: " + String.join(", ", NAMES));
        }
        double scale = p.dbl("init_scale", 1.0);
        p.requireAllUsed();
        return scale == 1.0 ? m : m.withInitScale(scale);
    }

    /** Typed reads of a parameter map; remembers what was read so leftovers can be reported. */
    private static final class Params {
        private final String model;
        private final Map<String, ?> map;
        private final Set<String> known = new TreeSet<>();

        Params(String model, Map<String, ?> map) {
            this.model = model;
            this.map = map == null ? Map.of() : new LinkedHashMap<>(map);
        }

        private Object get(String key, boolean required) {
            known.add(key);
            Object v = map.get(key);
            if (v == null && required) {
                throw new IllegalArgumentException("model '" + model + "' needs parameter '" + key + "'; " + model
                        + " takes " + USAGE.get(model) + ", init_scale [1]");
            }
            return v;
        }

        private IllegalArgumentException type(String key, Object v, String want) {
            return new IllegalArgumentException("model '" + model + "': parameter '" + key + "' = " + v + " ("
                    + v.getClass().getSimpleName() + ") must be " + want);
        }

        int integer(String key) {
            return toInt(key, get(key, true));
        }

        int integer(String key, int dflt) {
            Object v = get(key, false);
            return v == null ? dflt : toInt(key, v);
        }

        private int toInt(String key, Object v) {
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
                return n.intValue();
            }
            throw type(key, v, "an integer");
        }

        double dbl(String key, double dflt) {
            Double d = optDouble(key);
            return d == null ? dflt : d;
        }

        Double optDouble(String key) {
            Object v = get(key, false);
            if (v == null) {
                return null;
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw type(key, v, "a number");
        }

        boolean bool(String key, boolean dflt) {
            Object v = get(key, false);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw type(key, v, "true or false");
        }

        String string(String key, String dflt) {
            Object v = get(key, false);
            if (v == null) {
                return dflt;
            }
            if (v instanceof String s) {
                return s;
            }
            throw type(key, v, "a string");
        }

        int[] ints(String key) {
            return toInts(key, get(key, true));
        }

        int[] ints(String key, int[] dflt) {
            Object v = get(key, false);
            return v == null ? dflt : toInts(key, v);
        }

        private int[] toInts(String key, Object v) {
            if (v instanceof int[] a) {
                return a.clone();
            }
            if (v instanceof List<?> list) {
                int[] out = new int[list.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = toInt(key, list.get(i));
                }
                return out;
            }
            throw type(key, v, "a list of integers");
        }

        void requireAllUsed() {
            List<String> unknown = new ArrayList<>();
            for (String k : map.keySet()) {
                if (!known.contains(k)) {
                    unknown.add(k);
                }
            }
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("model '" + model + "': unknown parameter"
                        + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + "; known: "
                        + String.join(", ", known));
            }
        }
    }
}
