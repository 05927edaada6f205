package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Presets;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;

/** A small MLP learns Fashion-MNIST (Debian's dataset-fashion-mnist; skipped when absent). */
class FashionMnistTrainingTest {

    @Test
    void smallMlpReachesEightyPercentTestAccuracy() {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Presets.Prepared d = Presets.fashionMnist(Presets.Options.defaults().withTrainSize(6000).withTestSize(1000));
        Problem p = new Problem(Mlp.of(Activation.of("relu"), 196, 128, 10), Losses.of("cross-entropy"), d.train(), d.test(),
                1000);
        MetricsLog log = new MetricsLog();
        RunResult r = Trainer.run(TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(0.05)),
                Samplers.create(Samplers.EPOCH_SHUFFLE, 6000, 32, 1)).steps(1500).evalEvery(500).seed(1).build(), log);
        assertEquals(Status.COMPLETED, r.status());
        double acc = r.lastValue("test_acc");
        assertTrue(acc > 0.80, "test accuracy " + acc);
    }
}
