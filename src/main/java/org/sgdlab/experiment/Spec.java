package org.sgdlab.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.DataSources;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Diagnostics;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.nn.Loss;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.Models;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * A run spec (YAML or JSON): validated, resolved (defaults filled in) and built into a
 * {@link TrainConfig}. Validation collects every problem before failing ({@link SpecException}),
 * each naming the field path, the value and what is allowed. {@code sgdlab spec --example}
 * prints the annotated example with every field and its default.
 */
public final class Spec {

    /** Top-level sections. */
    public static final List<String> SECTIONS = List.of("name", "seed", "steps", "data", "model", "loss", "optimizer",
            "sampler", "train", "stop", "events", "diagnostics", "outputs", "meta");

    private static final Set<String> SCHEDULE_KEYS = Set.of("every", "start", "at", "at_end", "on_events");

    /** What a run needs besides the training config. */
    public record Outputs(long checkpointEvery, int keepCheckpoints, boolean tensorboard, boolean report,
                          double progressSeconds) {
    }

    /** The built objects of a valid spec. */
    public record Built(String name, TrainConfig config, Outputs outputs, DataSources.Source data) {
    }

    private final ObjectNode resolved;
    private final Built built;

    private Spec(ObjectNode resolved, Built built) {
        this.resolved = resolved;
        this.built = built;
    }

    /** The resolved spec tree (defaults filled in). */
    public ObjectNode resolved() {
        return resolved.deepCopy();
    }

    public Built built() {
        return built;
    }

    /** The resolved spec as YAML. */
    public String yaml() {
        return toYaml(resolved);
    }

    static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    static String toYaml(JsonNode n) {
        try {
            return YAML.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a YAML/JSON spec file and applies {@code --set path=value} overrides. */
    public static Spec load(Path file, List<String> overrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SpecException(List.of("spec file " + file + ": cannot read (" + e.getMessage() + ")"));
        }
        String stem = file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        return parse(text, stem, overrides);
    }

    /** Parses spec text (YAML or JSON). */
    public static Spec parse(String text, String defaultName, List<String> overrides) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    + (j.getLocation() != null ? " (line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr() + ")" : "") : e.getMessage();
            throw new SpecException(List.of("spec: not valid YAML/JSON: " + msg));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new SpecException(List.of("spec: the top level must be a mapping of sections, got " + root.getNodeType()));
        }
        ObjectNode tree = (ObjectNode) root;
        List<String> problems = new ArrayList<>();
        for (String o : overrides == null ? List.<String>of() : overrides) {
            applyOverride(tree, o, problems);
        }
        if (!problems.isEmpty()) {
            throw new SpecException(problems);
        }
        return resolve(tree, defaultName);
    }

    /** Applies {@code path=value}: the value is parsed as YAML (numbers, booleans, lists, maps). */
    static void applyOverride(ObjectNode tree, String override, List<String> problems) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            problems.add("--set " + override + ": expected path=value, e.g. optimizer.lr=0.1");
            return;
        }
        String path = override.substring(0, eq).trim();
        String text = override.substring(eq + 1);
        JsonNode value;
        try {
            value = text.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(text);
            if (value == null || value.isMissingNode()) {
                value = JsonNodeFactory.instance.nullNode();
            }
        } catch (IOException e) {
            value = JsonNodeFactory.instance.textNode(text);
        }
        String[] parts = path.split("\\.");
        ObjectNode cur = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = cur.get(parts[i]);
            if (next == null || next.isNull()) {
                next = cur.putObject(parts[i]);
            } else if (!next.isObject()) {
                problems.add("--set " + path + ": '" + String.join(".", List.of(parts).subList(0, i + 1))
                        + "' is a value, not a section");
                return;
            }
            cur = (ObjectNode) next;
        }
        cur.set(parts[parts.length - 1], value);
    }

    // =================================================================== resolution

    private static Spec resolve(ObjectNode root, String defaultName) {
        R r = new R();
        r.onlyKnown(root, "", SECTIONS);
        boolean nameGiven = root.hasNonNull("name");
        String name = r.string(root, "", "name", defaultName == null ? "run" : defaultName);
        String badName = nameProblem(name);
        if (badName != null) {
            r.err("name: " + quoted(name) + " " + badName + "; the run name becomes the run directory's name under runs/,"
                    + " so it must be one non-blank path segment without '/', '\\', control characters or a leading '.'"
                    + (nameGiven ? "" : " (this default comes from the spec file's name; set name: in the spec or"
                    + " --set name=NAME)"));
        }
        long seed = r.integer(root, "", "seed", 0, 0, Long.MAX_VALUE);
        long steps = r.integer(root, "", "steps", 1000, 0, Long.MAX_VALUE);

        // data
        ObjectNode data = r.section(root, "data", true);
        DataSources.Source source = null;
        if (data != null) {
            String dname = r.string(data, "data", "name", null);
            long dseed = r.integer(data, "data", "seed", seed, 0, Long.MAX_VALUE);
            source = r.named("data", dname, DataSources.NAMES,
                    () -> DataSources.create(dname, params(data, Set.of("name", "seed")), dseed));
        }

        // model
        ObjectNode modelNode = r.section(root, "model", true);
        Model model = null;
        if (modelNode != null) {
            String mname = r.string(modelNode, "model", "name", null);
            model = r.named("model", mname, Models.NAMES,
                    () -> Models.create(mname, params(modelNode, Set.of("name"))));
        }

        // loss
        ObjectNode lossNode = r.section(root, "loss", false);
        String lname = r.string(lossNode, "loss", "name", "mse");
        String conv = r.string(lossNode, "loss", "mse_convention", "half");
        r.onlyKnown(lossNode, "loss", List.of("name", "mse_convention"));
        Loss loss = null;
        if (!Losses.NAMES.contains(lname)) {
            r.err("loss.name: '" + lname + "' is not one of " + Losses.NAMES);
        } else if (!conv.equals("half") && !conv.equals("plain")) {
            r.err("loss.mse_convention: '" + conv + "' is not one of [half, plain] (half: (1/n) sum 1/2 ||f - y||^2, "
                    + "Cohen; plain: (1/n) sum ||f - y||^2, EoSS)");
        } else {
            loss = Losses.of(lname, conv.equals("half") ? MseConvention.HALF : MseConvention.PLAIN);
        }

        // optimizer
        ObjectNode optNode = r.section(root, "optimizer", true);
        Optimizer<? extends OptimizerState> opt = null;
        if (optNode != null) {
            String oname = r.string(optNode, "optimizer", "name", null);
            Map<String, Object> op = params(optNode, Set.of("name"));
            String lrProblem = lrProblem(optNode.get("lr"));
            if (lrProblem != null) {
                r.err(lrProblem);
                op.put("lr", 1.0);                     // the other settings are still checked
            }
            Optimizer<? extends OptimizerState> o = r.named("optimizer", oname, Optimizers.NAMES,
                    () -> Optimizers.create(oname, op));
            opt = lrProblem == null ? o : null;
        }

        // training loop settings
        ObjectNode train = r.section(root, "train", false);
        r.onlyKnown(train, "train", List.of("eval_every", "test_every", "log_every", "physical_batch_size",
                "label_noise_std", "full_grad_norm"));
        int evalEvery = (int) r.integer(train, "train", "eval_every", 1, 1, Integer.MAX_VALUE);
        int logEvery = (int) r.integer(train, "train", "log_every", 1, 1, Integer.MAX_VALUE);
        boolean hasTest = source != null && source.test() != null && source.test().size() > 0;
        int testEvery = (int) r.integer(train, "train", "test_every", hasTest ? evalEvery : 0, 0, Integer.MAX_VALUE);
        int physical = (int) r.integer(train, "train", "physical_batch_size", Problem.DEFAULT_PHYSICAL_BATCH, 1,
                Integer.MAX_VALUE);
        double labelNoiseStd = r.number(train, "train", "label_noise_std", 0.0, 0, Double.MAX_VALUE);
        boolean fullGradNorm = r.bool(train, "train", "full_grad_norm", false);

        // sampler
        ObjectNode samp = r.section(root, "sampler", false);
        r.onlyKnown(samp, "sampler", List.of("name", "batch_size", "drop_last", "seed"));
        String sname = r.string(samp, "sampler", "name", Samplers.FULL_BATCH);
        int n = source == null ? 1 : source.train().size();
        long bdefault = sname.equals(Samplers.FULL_BATCH) ? n : -1;
        boolean sizeGiven = samp != null && samp.hasNonNull("batch_size");
        long b = r.integer(samp, "sampler", "batch_size", bdefault, sizeGiven ? 1 : -1, Integer.MAX_VALUE);
        boolean dropLast = r.bool(samp, "sampler", "drop_last", true);
        long sseed = r.integer(samp, "sampler", "seed", seed, 0, Long.MAX_VALUE);
        BatchSampler sampler = null;
        if (!Samplers.NAMES.contains(sname)) {
            r.err("sampler.name: '" + sname + "' is not one of " + Samplers.NAMES);
        } else if (b < 1) {
            if (!sizeGiven) {         // a given value below 1 was reported by integer()
                r.err("sampler.batch_size: missing; sampler '" + sname + "' needs a batch size between 1 and n = " + n);
            }
        } else if (source != null) {
            if (b > n) {
                r.err("sampler.batch_size: " + b + " exceeds the " + n + " training examples");
            } else {
                try {
                    sampler = Samplers.create(sname, n, (int) b, dropLast, sseed);
                } catch (RuntimeException e) {
                    r.err("sampler: " + message(e));
                }
                if (opt != null && opt.name().equals("gd") && (b < n || sname.equals(Samplers.IID_WITH_REPLACEMENT))) {
                    r.err("optimizer.name: gd is full-batch gradient descent, but sampler '" + sname + "' draws "
                            + (b < n ? "batches of " + b + " < n = " + n : "its " + b + " examples with replacement")
                            + "; use sgd (the same update on mini-batches) or the " + Samplers.FULL_BATCH + " sampler");
                }
            }
        }

        // stop rules
        ObjectNode stop = r.section(root, "stop", false);
        r.onlyKnown(stop, "stop", List.of("loss_goal", "accuracy_goal", "divergence_loss", "divergence_param"));
        double lossGoal = r.optNumber(stop, "stop", "loss_goal");
        double accGoal = r.optNumber(stop, "stop", "accuracy_goal");
        double divLoss = r.optNumber(stop, "stop", "divergence_loss");
        double divParam = r.optNumber(stop, "stop", "divergence_param");

        // events
        ObjectNode events = r.section(root, "events", false);
        r.onlyKnown(events, "events", List.of("spike_kappa"));
        double kappa = r.number(events, "events", "spike_kappa", 2.0, 0, Double.MAX_VALUE);
        if (kappa != 0 && kappa <= 1) {
            r.err("events.spike_kappa: " + kappa + " must be > 1 (or 0 to disable the spike detector)");
        }

        // diagnostics
        List<Scheduled> diags = new ArrayList<>();
        JsonNode dn = root.get("diagnostics");
        if (dn != null && !dn.isNull()) {
            if (!dn.isObject()) {
                r.err("diagnostics: must be a mapping of diagnostic name to its settings, got " + dn.getNodeType());
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = dn.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String dname = e.getKey();
                    String path = "diagnostics." + dname;
                    JsonNode cfg = e.getValue();
                    if (cfg == null || cfg.isNull()) {
                        cfg = ((ObjectNode) dn).putObject(dname);
                    }
                    if (!cfg.isObject()) {
                        r.err(path + ": must be a mapping of settings (every, on_events, ...), got " + cfg.getNodeType());
                        continue;
                    }
                    ObjectNode c = (ObjectNode) cfg;
                    long every = r.integer(c, path, "every", 0, 0, Long.MAX_VALUE);
                    long start = r.integer(c, path, "start", 0, 0, Long.MAX_VALUE);
                    boolean atEnd = r.bool(c, path, "at_end", true);
                    boolean onEvents = r.bool(c, path, "on_events", false);
                    long[] at = r.longs(c, path, "at");
                    if (!Diagnostics.names().contains(dname)) {
                        r.err(path + ": unknown diagnostic '" + dname + "'; known: " + Diagnostics.names());
                        continue;
                    }
                    try {
                        Diagnostic<?> d = Diagnostics.create(dname, params(c, SCHEDULE_KEYS));
                        diags.add(new Scheduled(d, every, start, at, atEnd, onEvents));
                    } catch (RuntimeException ex) {
                        String m = message(ex);
                        r.err(m.startsWith("diagnostics.") ? m : path + ": " + m);
                    }
                }
            }
        }

        // outputs
        ObjectNode outputs = r.section(root, "outputs", false);
        r.onlyKnown(outputs, "outputs", List.of("checkpoint_every", "keep_checkpoints", "tensorboard", "report",
                "progress_seconds"));
        long ckAuto = Math.max(1, Math.min(1000, (steps + 9) / 10));
        long ckEvery = r.integer(outputs, "outputs", "checkpoint_every", ckAuto, 0, Long.MAX_VALUE);
        int keep = (int) r.integer(outputs, "outputs", "keep_checkpoints", 2, 1, 1000);
        boolean tb = r.bool(outputs, "outputs", "tensorboard", true);
        boolean report = r.bool(outputs, "outputs", "report", true);
        double progress = r.number(outputs, "outputs", "progress_seconds", 10.0, 0.1, Double.MAX_VALUE);

        // consistency of model and data
        Problem problem = null;
        if (model != null && source != null && loss != null) {
            try {
                problem = new Problem(model, loss, source.train(), hasTest ? source.test() : null, physical);
                Tensor th = model.init(Rng.stream(seed, Rng.INIT));
                int[] one = {0};
                Tensor out = model.apply(th, source.train().batch(one).x());
                loss.perExample(out, source.train().batch(one).y());
            } catch (RuntimeException e) {
                r.err("model: does not fit the data (" + source.train().name() + ", x " + java.util.Arrays.toString(
                        source.train().x().shape()) + ", y " + java.util.Arrays.toString(source.train().y().shape()) + "): "
                        + message(e));
                problem = null;
            }
        }
        if (problem != null) {
            // what a diagnostic cannot measure on this model, loss or data is a spec problem, not a failed run
            for (Scheduled sd : diags) {
                try {
                    sd.diagnostic().check(problem);
                } catch (RuntimeException e) {
                    String m = message(e);
                    r.err(m.startsWith("diagnostics.") ? m : "diagnostics." + sd.diagnostic().name() + ": " + m);
                }
            }
        }
        if (!r.problems.isEmpty()) {
            throw new SpecException(r.problems);
        }
        TrainConfig.Builder tcb = TrainConfig.builder(problem, opt, sampler).steps(steps).seed(seed).evalEvery(evalEvery)
                .testEvery(testEvery).labelNoiseStd(labelNoiseStd).spikeKappa(kappa).checkpointEvery(ckEvery)
                .fullGradNorm(fullGradNorm).logEvery(logEvery);
        if (!Double.isNaN(lossGoal)) {
            tcb.lossGoal(lossGoal);
        }
        if (!Double.isNaN(accGoal)) {
            tcb.accuracyGoal(accGoal);
        }
        if (!Double.isNaN(divLoss)) {
            tcb.divergenceLoss(divLoss);
        }
        if (!Double.isNaN(divParam)) {
            tcb.divergenceParam(divParam);
        }
        diags.forEach(tcb::diagnostic);
        TrainConfig config;
        try {
            config = tcb.build();
        } catch (RuntimeException e) {
            throw new SpecException(List.of(message(e)));
        }
        // what the run header states (the loss convention in particular)
        ObjectNode meta = root.putObject("meta");
        meta.put("model", model.describe());
        meta.put("parameters", model.numParams());
        meta.put("loss", loss.describe());
        meta.put("optimizer", opt.describe());
        meta.put("train_examples", source.train().size());
        meta.put("test_examples", hasTest ? source.test().size() : 0);
        return new Spec(root, new Built(name, config, new Outputs(ckEvery, keep, tb, report, progress), source));
    }

    /**
     * What is wrong with {@code optimizer.lr} in the words of the spec (a number must be a learning rate > 0; a
     * mapping must be a valid schedule spec), or null when it is fine or not a number or mapping (the optimizer
     * registry reports a missing or mistyped lr).
     */
    static String lrProblem(JsonNode lr) {
        if (lr == null) {
            return null;
        }
        if (lr.isNumber()) {
            double v = lr.asDouble();
            return v > 0 && Double.isFinite(v) ? null : "optimizer.lr: " + lr + " must be a learning rate > 0 (a number, "
                    + "or a schedule spec such as {name: linear-warmup, eta: 0.2, warmup_steps: 100})";
        }
        if (lr.isObject()) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) plain(lr);
                Schedules.fromSpec(m);
            } catch (IllegalArgumentException e) {
                return "optimizer.lr: " + message(e);
            }
        }
        return null;
    }

    /** Why {@code name} cannot be a run directory's name (one path segment inside runs/), or null when it can. */
    static String nameProblem(String name) {
        if (name.isBlank()) {
            return "is blank";
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '/' || ch == '\\') {
                return "contains '" + ch + "'";
            }
            if (Character.isISOControl(ch)) {
                return String.format(Locale.ROOT, "contains the control character U+%04X", (int) ch);
            }
        }
        if (name.startsWith(".")) {
            return "starts with '.'";
        }
        return null;
    }

    /** {@code 'text'}, each control character written as a backslash-u escape. */
    private static String quoted(String text) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            b.append(Character.isISOControl(ch) ? String.format(Locale.ROOT, "\\u%04x", (int) ch) : String.valueOf(ch));
        }
        return b.append("'").toString();
    }

    private static String message(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The section's fields except {@code skip}, as plain Java values for a registry. */
    static Map<String, Object> params(ObjectNode node, Set<String> skip) {
        Map<String, Object> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!skip.contains(e.getKey())) {
                out.put(e.getKey(), plain(e.getValue()));
            }
        }
        return out;
    }

    /** JSON node to String/Long/Double/Boolean/List/Map/null. */
    static Object plain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return l;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
        return m;
    }

    /** Typed reads with accumulated problems; defaults are written back into the tree. */
    private static final class R {
        final List<String> problems = new ArrayList<>();

        void err(String s) {
            problems.add(s);
        }

        /**
         * A registry-built section ({@code data}, {@code model}, {@code optimizer}): its {@code name} must be
         * one of {@code names}; then {@code create} builds it. Null, with the problem recorded, when the name
         * is missing or unknown or the registry rejects the settings.
         */
        <T> T named(String section, String name, List<String> names, Supplier<T> create) {
            if (name == null) {
                err(section + ".name: missing; known: " + String.join(", ", names));
            } else if (!names.contains(name)) {
                err(section + ".name: '" + name + "' is not one of " + names);
            } else {
                try {
                    return create.get();
                } catch (RuntimeException e) {
                    err(section + ": " + message(e));
                }
            }
            return null;
        }

        private static String p(String path, String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        ObjectNode section(ObjectNode root, String key, boolean required) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                if (required) {
                    err(key + ": missing (a mapping with at least 'name')");
                    return null;
                }
                return root.putObject(key);
            }
            if (!n.isObject()) {
                err(key + ": must be a mapping, got " + n.getNodeType().toString().toLowerCase(Locale.ROOT) + " " + n);
                return required ? null : JsonNodeFactory.instance.objectNode();
            }
            return (ObjectNode) n;
        }

        void onlyKnown(ObjectNode node, String path, List<String> known) {
            if (node == null) {
                return;
            }
            node.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) {
                    err(p(path, k) + ": unknown field; known: " + known);
                }
            });
        }

        /**
         * The value of {@code key} when {@code node} has it and {@code ok} accepts it; otherwise null: when
         * node is null, after {@code putDefault} when the key is absent or null, or after recording
         * {@code "path.key: <value> must be <rule>"} when {@code ok} rejects the value.
         */
        private JsonNode value(ObjectNode node, String path, String key, Runnable putDefault, Predicate<JsonNode> ok,
                String rule) {
            if (node == null) {
                return null;
            }
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                putDefault.run();
                return null;
            }
            if (!ok.test(v)) {
                err(p(path, key) + ": " + v + " must be " + rule);
                return null;
            }
            return v;
        }

        String string(ObjectNode node, String path, String key, String dflt) {
            JsonNode v = value(node, path, key, () -> {
                if (dflt != null) {
                    node.put(key, dflt);
                }
            }, JsonNode::isTextual, "a string");
            return v == null ? dflt : v.asText();
        }

        long integer(ObjectNode node, String path, String key, long dflt, long min, long max) {
            JsonNode v = value(node, path, key, () -> node.put(key, dflt),
                    n -> n.isIntegralNumber() || (n.isNumber() && n.asDouble() == Math.rint(n.asDouble())),
                    "an integer");
            if (v == null) {
                return dflt;
            }
            long x = v.asLong();
            if (x < min || x > max) {
                err(p(path, key) + ": " + x + " must be " + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                        ? ">= " + min : "between " + min + " and " + max));
                return dflt;
            }
            return x;
        }

        double number(ObjectNode node, String path, String key, double dflt, double min, double max) {
            JsonNode v = value(node, path, key, () -> node.put(key, dflt), JsonNode::isNumber, "a number");
            if (v == null) {
                return dflt;
            }
            double x = v.asDouble();
            if (!(x >= min && x <= max)) {
                err(p(path, key) + ": " + x + " must be " + (max == Double.MAX_VALUE ? ">= " + min
                        : "between " + min + " and " + max));
                return dflt;
            }
            return x;
        }

        /** A number or null (NaN when absent or null). */
        double optNumber(ObjectNode node, String path, String key) {
            JsonNode v = value(node, path, key, () -> node.putNull(key), JsonNode::isNumber, "a number or null");
            return v == null ? Double.NaN : v.asDouble();
        }

        boolean bool(ObjectNode node, String path, String key, boolean dflt) {
            JsonNode v = value(node, path, key, () -> node.put(key, dflt), JsonNode::isBoolean, "true or false");
            return v == null ? dflt : v.asBoolean();
        }

        long[] longs(ObjectNode node, String path, String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return new long[0];
            }
            if (!v.isArray()) {
                err(p(path, key) + ": " + v + " must be a list of steps");
                return new long[0];
            }
            ArrayNode a = (ArrayNode) v;
            long[] out = new long[a.size()];
            for (int i = 0; i < out.length; i++) {
                if (!a.get(i).isIntegralNumber() || a.get(i).asLong() < 0) {
                    err(p(path, key) + "[" + i + "]: " + a.get(i) + " must be a step >= 0");
                    return new long[0];
                }
                out[i] = a.get(i).asLong();
            }
            return out;
        }
    }

    /** A JSON mapper for tests and tools. */
    static final ObjectMapper JSON = new ObjectMapper();
}
