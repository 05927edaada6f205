package org.sgdlab.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a small synthetic run directory (the files a training run would write) for report tests. */
final class SyntheticRun {

    static final int STEPS = 400;
    static final double LR = 0.2;

    private SyntheticRun() {
    }

    static double trainLoss(int t) {
        double base = Math.exp(-t / 80.0);
        if (t >= 120 && t < 140) {
            base *= 1 + 14 * Math.sin(Math.PI * (t - 120) / 20.0);
        }
        return base;
    }

    static double sharpness(int t) {
        return Math.min(10.4, 4 + t * 0.05) + (t > 130 ? 0.2 * Math.sin(t / 7.0) : 0);
    }

    static void write(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("diagnostics"));
        StringBuilder m = new StringBuilder();
        for (int t = 0; t < STEPS; t++) {
            m.append(String.format(Locale.ROOT, "{\"step\":%d,\"epoch\":%d,\"lr\":%s,\"threshold\":%s,"
                    + "\"train_loss\":%s,\"batch_loss\":%s,\"grad_norm\":%s", t, t / 100, LR, 2 / LR, trainLoss(t),
                    trainLoss(t) * (1 + 0.3 * Math.sin(t)), Math.sqrt(trainLoss(t))));
            if (t % 20 == 0) {
                m.append(String.format(Locale.ROOT, ",\"test_loss\":%s,\"train_acc\":%s,\"test_acc\":%s,"
                        + "\"param_norm\":%s", 1.1 * trainLoss(t) + 0.01, 1 - 0.5 * trainLoss(t),
                        0.95 - 0.5 * trainLoss(t), 3 + t / 100.0));
            }
            m.append("}\n");
            if (t == 50) {
                m.append("{\"step\":51, \"train_loss\": 0.5,,}\n"); // malformed: line 52
            }
        }
        m.append("{\"step\":400,\"train_loss\":0.0"); // truncated last line (no newline)
        Files.writeString(dir.resolve("metrics.jsonl"), m.toString(), StandardCharsets.UTF_8);

        StringBuilder s = new StringBuilder();
        for (int t = 0; t < STEPS; t += 20) {
            double l = sharpness(t);
            s.append(String.format(Locale.ROOT, "{\"step\":%d,\"sharpness\":%s,\"hess_eig\":[%s,%s],"
                    + "\"hess_residual\":[1e-9,2e-8],\"converged\":%s,\"threshold\":10.0,\"stability_ratio\":%s,"
                    + "\"hvps\":42,\"seconds\":0.3}\n", t, l, l, 0.7 * l, t == 200 ? "false" : "true", l / 10));
        }
        Files.writeString(dir.resolve("diagnostics/sharpness.jsonl"), s.toString());

        StringBuilder b = new StringBuilder();
        for (int t = 0; t < STEPS; t += 50) {
            double bs = Math.min(10.2, 6 + t * 0.04);
            b.append(String.format(Locale.ROOT, "{\"step\":%d,\"batch_sharpness\":%s,\"batch_sharpness_se\":%s,"
                    + "\"mini_bs\":%s,\"mini_bs_se\":%s}\n", t, bs, 0.02 * bs, 1.6 * bs, 0.05 * bs));
        }
        Files.writeString(dir.resolve("diagnostics/batch_sharpness.jsonl"), b.toString());

        StringBuilder n = new StringBuilder();
        for (int t = 0; t < STEPS; t += 10) {
            double l1 = t < 130 ? 12 : 8;
            double top = t >= 120 && t < 140 ? 0.9 * trainLoss(t) : 0.2 * trainLoss(t);
            n.append(String.format(Locale.ROOT, "{\"step\":%d,\"ntk_eig\":[%s,%s,%s],\"loss_top_s\":%s,"
                    + "\"loss_rest_s\":%s}\n", t, l1, 3.0, 0.5, top, trainLoss(t) - top));
        }
        Files.writeString(dir.resolve("diagnostics/ntk.jsonl"), n.toString());

        StringBuilder a = new StringBuilder();
        for (int t = 0; t < STEPS; t += 40) {
            a.append(String.format(Locale.ROOT, "{\"step\":%d,\"agop_alignment\":%s}\n", t, 0.2 + 0.7 * t / STEPS));
        }
        Files.writeString(dir.resolve("diagnostics/agop.jsonl"), a.toString());

        StringBuilder y = new StringBuilder();
        for (int t = 0; t < STEPS; t += 25) {
            y.append(String.format(Locale.ROOT, "{\"step\":%d,\"c_a\":%s,\"balancedness\":%s,\"stable_rank\":%s}\n",
                    t, Math.exp(-t / 100.0), 1e-6 * (t + 1), t == 100 ? "NaN" : String.valueOf(2 + t / 200.0)));
        }
        Files.writeString(dir.resolve("diagnostics/symmetry.jsonl"), y.toString());

        Files.writeString(dir.resolve("events.jsonl"),
                "{\"type\":\"spike\",\"start\":120,\"peak\":130,\"end\":140,\"peak_ratio\":14.7,\"pre\":0.22}\n"
                + "not json at all\n");
        Files.writeString(dir.resolve("summary.json"), "{\"status\":\"completed\",\"steps\":400,\"wall_seconds\":"
                + "12.5,\"final\":{\"train_loss\":0.0067,\"test_acc\":0.94},\"verdicts\":["
                + "{\"id\":\"A1\",\"claim\":\"sharpness rises to 2/eta\",\"kind\":\"gate\",\"pass\":true,"
                + "\"measured\":{\"t_eos\":130,\"ratio\":0.99},\"criterion\":\"t_EoS <= 1000\"},"
                + "{\"id\":\"A2\",\"claim\":\"hovers <at> the edge\",\"gate\":true,\"provisional\":true,\"pass\":false,"
                + "\"measured\":{\"median_ratio\":1.2},\"criterion\":\"median in [0.97, 1.06]\"},"
                + "{\"id\":\"F1\",\"claim\":\"flow comparison\",\"kind\":\"report\",\"pass\":null}]}");
        Files.writeString(dir.resolve("spec.yaml"), "name: synthetic\noptimizer:\n  name: gd\n  lr: 0.2\n"
                + "note: \"<script>alert(1)</script> & more\"\n");
    }
}
