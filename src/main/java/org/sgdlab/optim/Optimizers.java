package org.sgdlab.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizers of QUANTITIES.md Q3.1 and Q3.3, by name, each with its threshold (Q3.4, Q3.6).
 *
 * <table>
 *   <caption>Optimizers</caption>
 *   <tr><th>name</th><th>update</th><th>threshold</th><th>parameters</th></tr>
 *   <tr><td>gd, sgd</td><td>theta &lt;- theta - eta_t g</td><td>2/eta_t</td><td>weight_decay</td></tr>
 *   <tr><td>heavy-ball</td><td>v &lt;- beta v + g; theta &lt;- theta - eta_t v</td><td>(2+2beta)/eta_t</td><td>beta, weight_decay</td></tr>
 *   <tr><td>polyak</td><td>v &lt;- beta v + eta_t g; theta &lt;- theta - v</td><td>(2+2beta)/eta_t</td><td>beta, weight_decay</td></tr>
 *   <tr><td>nesterov</td><td>v &lt;- beta v + g; theta &lt;- theta - eta_t (g + beta v)</td><td>(2+2beta)/((1+2beta) eta_t)</td><td>beta, weight_decay</td></tr>
 * </table>
 *
 * {@code beta} (in [0, 1)) is required by the momentum optimizers; {@code weight_decay} gamma &gt; 0
 * wraps the optimizer in {@link WeightDecay} on every parameter (0 or absent: no wrapper; block
 * masks through {@link WeightDecay#masked}). Label-noise SGD is not an optimizer: the training
 * loop perturbs the targets.
 */
public final class Optimizers {

    /** Registry names, in the order they are listed in errors. */
    public static final List<String> NAMES = List.of("gd", "sgd", "heavy-ball", "polyak", "nesterov");

    private Optimizers() {
    }

    /** theta &lt;- theta - eta_t g with the full-batch gradient. */
    public static Optimizer<OptimizerState.Empty> gd(Schedule schedule) {
        return new Gd("gd", schedule);
    }

    /** theta &lt;- theta - eta_t g_B with a mini-batch gradient (the same update as gd). */
    public static Optimizer<OptimizerState.Empty> sgd(Schedule schedule) {
        return new Gd("sgd", schedule);
    }

    /** v &lt;- beta v + g; theta &lt;- theta - eta_t v (PyTorch form). */
    public static Optimizer<OptimizerState.MomentumBuffer> heavyBall(Schedule schedule, double beta) {
        return new HeavyBall(schedule, beta);
    }

    /** theta_{t+1} = theta_t - eta_t g + beta (theta_t - theta_{t-1}) (eta inside). */
    public static Optimizer<OptimizerState.Displacement> polyak(Schedule schedule, double beta) {
        return new Polyak(schedule, beta);
    }

    /** v &lt;- beta v + g; theta &lt;- theta - eta_t (g + beta v) (PyTorch form). */
    public static Optimizer<OptimizerState.MomentumBuffer> nesterov(Schedule schedule, double beta) {
        return new Nesterov(schedule, beta);
    }

    /**
     * An optimizer by name whose parameters include its learning rate: {@code lr} is a number
     * (constant schedule) or a schedule spec map ({@code {name: linear-warmup, eta: 0.2,
     * warmup_steps: 100}}, see {@link Schedules#fromSpec}).
     */
    public static Optimizer<?> create(String name, Map<String, ?> params) {
        checkName(name);
        String owner = "optimizer '" + name + "'";
        Params p = new Params(owner, params);
        if (name.equals("gd") || name.equals("sgd")) {
            p.onlyKnown("lr", "weight_decay");
        } else {
            p.onlyKnown("lr", "beta", "weight_decay");
        }
        if (!p.has("lr")) {
            throw new IllegalArgumentException(owner + ": missing parameter 'lr' (a number, or a schedule spec "
                    + "with a 'name', one of " + String.join(", ", Schedules.NAMES) + ")");
        }
        Object lr = p.raw("lr");
        Schedule schedule;
        if (lr instanceof Schedule s) {
            schedule = s;
        } else if (lr instanceof Map<?, ?>) {
            schedule = Schedules.fromSpec(Params.asMap(owner, "lr", lr));
        } else {
            schedule = Schedules.constant(p.number("lr", "learning rate > 0, or a schedule spec"));
        }
        Map<String, Object> rest = new LinkedHashMap<>(params);
        rest.remove("lr");
        return create(name, schedule, rest);
    }

    /**
     * An optimizer by name with a given schedule; {@code params} holds {@code beta} (momentum
     * optimizers) and optionally {@code weight_decay}. Unknown names and keys fail loudly:
     * {@code unknown optimizer 'adamw'; known: gd, sgd, heavy-ball, polyak, nesterov}.
     */
    public static Optimizer<?> create(String name, Schedule schedule, Map<String, ?> params) {
        checkName(name);
        String owner = "optimizer '" + name + "'";
        if (schedule == null) {
            throw new IllegalArgumentException(owner + ": schedule is null");
        }
        Params p = new Params(owner, params);
        boolean momentum = !name.equals("gd") && !name.equals("sgd");
        if (momentum) {
            p.onlyKnown("beta", "weight_decay");
        } else {
            p.onlyKnown("weight_decay");
        }
        double gamma = p.number("weight_decay", 0.0, "coupled weight decay gamma >= 0; the loss gets gamma*||theta||^2");
        Optimizer<?> opt;
        if (momentum) {
            double beta = p.number("beta", "momentum coefficient in [0, 1)");
            opt = switch (name) {
                case "heavy-ball" -> heavyBall(schedule, beta);
                case "polyak" -> polyak(schedule, beta);
                default -> nesterov(schedule, beta);
            };
        } else {
            opt = new Gd(name, schedule);
        }
        Require.nonNegative(owner, "weight_decay", gamma);
        return gamma == 0 ? opt : wrap(opt, gamma);
    }

    private static <S extends OptimizerState> Optimizer<S> wrap(Optimizer<S> opt, double gamma) {
        return WeightDecay.of(opt, gamma);
    }

    private static void checkName(String name) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException((name == null ? "optimizer name is missing"
                    : "unknown optimizer '" + name + "'") + "; known: " + String.join(", ", NAMES));
        }
    }
}
