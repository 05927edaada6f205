package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every shape rule violated once: the exception type, and a message naming the operation, the
 * shapes or values involved and what is allowed (a hint).
 */
class ErrorMessageTest {

    static Tensor z(int... shape) {
        return Tensor.zeros(shape);
    }

    /** Asserts the exception type and that the message contains every fragment. */
    static <T extends Throwable> void rejects(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String msg = e.getMessage();
        assertTrue(msg != null, "no message");
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message lacks '" + f + "': " + msg);
        }
    }

    static void illegal(Executable call, String... fragments) {
        rejects(IllegalArgumentException.class, call, fragments);
    }

    @Test
    void broadcastMismatch() {
        illegal(() -> z(2, 3).add(z(4)), "add", "[2, 3]", "[4]", "do not broadcast", "3 vs 4",
                "equal or one of them 1");
        illegal(() -> z(5, 2).mul(z(3, 1, 3)), "mul", "[5, 2]", "[3, 1, 3]", "do not broadcast");
        illegal(() -> z(2).gt(z(3)), "gt", "[2]", "[3]");
        illegal(() -> Tensor.where(z(2), z(3), z(1)), "where", "[2]", "[3]");
        illegal(() -> z(3).expand(2, 4), "expand", "[3]", "[2, 4]");
        illegal(() -> z(2, 3).expand(3), "expand", "[2, 3]", "[3]");
        illegal(() -> z(2, 3).sumTo(4), "sumTo", "[2, 3]", "[4]");
        illegal(() -> z(3).sumTo(1, 3, 1), "sumTo", "[3]", "lower rank");
    }

    @Test
    void matmulShapes() {
        illegal(() -> z(32, 784).matmul(z(100, 10)), "matmul: inner dimensions differ: [32, 784] @ [100, 10]",
                "784 vs 100", "last axis of the left operand");
        illegal(() -> z(4, 3).matmul(z(4, 5), false, true), "matmul: inner dimensions differ: [4, 3] @ [4, 5]^T");
        illegal(() -> z(4, 3).matmul(z(4, 5), true, true), "[4, 3]^T @ [4, 5]^T", "4 vs 5");
        // vectors are shown as the user gave them
        illegal(() -> z(3).matmul(z(4)), "matmul: inner dimensions differ: [3] @ [4]");
        illegal(() -> z(2, 3).matmul(z(4)), "[2, 3] @ [4]");
        illegal(() -> z(2, 3, 4).matmul(z(5, 4, 6)), "matmul", "[2]", "[5]", "do not broadcast");
        illegal(() -> Tensor.scalar(2).matmul(z(3)), "matmul", "scalar", "use mul");
        illegal(() -> z(3, 3).matmul(Tensor.scalar(2)), "matmul", "rank >= 2");
        illegal(() -> z(3).dot(z(4)), "dot", "[3]", "[4]", "same shape");
        illegal(() -> z(3).dotValue(z(4)), "dot", "[3]", "[4]");
    }

    @Test
    void badAxes() {
        illegal(() -> z(2, 3).sum(2), "sum", "axis 2", "rank 2", "valid: -2 .. 1");
        illegal(() -> z(2, 3).sum(-3), "sum", "axis -3", "rank 2");
        illegal(() -> z(2, 3).sum(new int[] {1, -1}, false), "sum", "axis 1 given twice");
        illegal(() -> z(2, 3).mean(5), "mean", "axis 5");
        illegal(() -> z(2, 3).max(new int[] {7}, true), "max", "axis 7");
        illegal(() -> z(2, 3).logSumExp(2, false), "logSumExp", "axis 2", "valid");
        illegal(() -> z(2, 3).slice(3, 0, 1), "slice", "axis 3");
        illegal(() -> z(2, 3).indexSelect(-3, new int[] {0}), "indexSelect", "axis -3");
        illegal(() -> z(2, 3).unsqueeze(4), "unsqueeze", "axis 4", "rank 3");
        illegal(() -> z(2, 3).squeeze(0), "squeeze", "axis 0", "[2, 3]", "not 1");
        illegal(() -> z(2, 3).transpose(0, 2), "transpose", "axis 2");
        illegal(() -> z(2).transpose(), "transpose", "rank >= 2", "[2]");
        illegal(() -> z(2, 3).dim(2), "dim", "axis 2");
        illegal(() -> z(0, 3).max(0), "max", "axis 0", "[0, 3]", "empty");
    }

    @Test
    void reshapeSizes() {
        illegal(() -> z(2, 3).reshape(4, 2), "reshape", "[2, 3]", "6 elements", "[4, 2]", "8 elements");
        illegal(() -> z(2, 3).reshape(4, -1), "reshape", "cannot infer -1", "[4, -1]", "6 elements", "[2, 3]");
        illegal(() -> z(2, 3).reshape(-1, -1), "reshape", "only one dimension may be -1", "[-1, -1]");
        illegal(() -> z(2, 3).reshape(-2, -3), "reshape", "negative dimension", "[-2, -3]");
        illegal(() -> Tensor.of(new double[5], 2, 3), "Tensor.of", "5 values", "[2, 3]", "6 elements");
        illegal(() -> Tensor.zeros(2, -1), "zeros", "negative dimension", "[2, -1]");
        illegal(() -> Tensor.zeros(100_000, 100_000), "zeros", "[100000, 100000]", "10000000000 elements",
                "smaller batches");
        illegal(() -> z(70_000, 1).mul(z(1, 70_000)), "mul", "[70000, 70000]", "more than a Java array holds");
        illegal(() -> Tensor.matrix(new double[][] {{1, 2}, {3}}), "Tensor.matrix", "row 1 has 1 values",
                "equal length");
    }

    @Test
    void slicePadConcatStackPermute() {
        illegal(() -> z(4, 5).slice(1, 2, 6), "slice", "[2, 6)", "axis 1 of length 5", "[4, 5]",
                "0 <= start <= stop <= length");
        illegal(() -> z(4, 5).slice(0, 3, 2), "slice", "[3, 2)", "0 <= start <= stop");
        illegal(() -> z(4, 5).slice(0, -1, 2), "slice", "[-1, 2)");
        illegal(() -> z(2, 3).pad(new int[] {1}, new int[] {1, 1}, 0), "pad", "[2, 3]", "need 2");
        illegal(() -> z(2, 3).pad(new int[] {0, -1}, new int[] {0, 0}, 0), "pad", "[0, -1]", ">= 0", "slice to crop");
        illegal(() -> Tensor.concat(1, z(2, 3), z(3, 4)), "concat", "[2, 3]", "[3, 4]", "differ on axis 0",
                "only axis 1 may differ");
        illegal(() -> Tensor.concat(0, z(2, 3), z(2, 3, 1)), "concat", "part 1 has rank 3", "rank 2");
        illegal(() -> Tensor.concat(0), "concat", "at least one");
        illegal(() -> Tensor.concat(2, z(2, 3)), "concat", "axis 2");
        illegal(() -> Tensor.stack(0, z(2, 3), z(3, 2)), "concat", "[1, 2, 3]", "[1, 3, 2]");
        illegal(() -> z(2, 3, 4).permute(1, 1, 0), "permute", "axis 1 given twice", "[1, 1, 0]", "[2, 3, 4]",
                "exactly once");
        illegal(() -> z(2, 3, 4).permute(1, 0), "permute", "2 axes", "rank 3", "[2, 3, 4]", "exactly once");
        illegal(() -> z(2, 3, 4).permute(0, 1, 3), "permute", "axis 3", "rank 3");
    }

    @Test
    void windows() {
        illegal(() -> z(2, 3, 8, 8).conv2d(z(4, 2, 3, 3), 1, 0), "conv2d", "3 channels", "expects 2",
                "[2, 3, 8, 8]", "[4, 2, 3, 3]");
        illegal(() -> z(3, 8, 8).conv2d(z(4, 3, 3, 3), 1, 0), "conv2d", "[N, C, H, W]", "[3, 8, 8]");
        illegal(() -> z(1, 1, 2, 2).conv2d(z(1, 1, 3, 3), 1, 0), "unfold", "kernel 3x3", "larger than the padded image",
                "2x2");
        illegal(() -> z(1, 1, 4, 4).unfold(2, 2, 0, 1, 0, 0), "unfold", "stride 0x1", "must be >= 1");
        illegal(() -> z(1, 1, 4, 4).unfold(2, 2, 1, 1, -1, 0), "unfold", "padding -1x0", ">= 0");
        illegal(() -> z(4, 4).maxPool2d(2, 2), "maxPool2d", "[N, C, H, W]", "[4, 4]");
        illegal(() -> z(4, 4).avgPool2d(2, 2, 0), "avgPool2d", "[N, C, H, W]", "[4, 4]");
        Attr.Window w = new Attr.Window(new int[] {1, 1, 4, 4}, 2, 2, 1, 1, 0, 0);
        illegal(() -> z(1, 9, 3).fold(w), "fold", "[1, 9, 4]", "[1, 1, 4, 4]", "[1, 9, 3]");
    }

    @Test
    void itemIndexingAndLabels() {
        rejects(IllegalStateException.class, () -> z(2, 3).item(), "item", "[2, 3]", "6 elements", "exactly one",
                "reduce it first");
        rejects(IndexOutOfBoundsException.class, () -> z(3, 4).indexSelect(1, new int[] {0, 4, 1}), "indexSelect",
                "index 4", "position 1", "axis 1 of length 4", "[3, 4]");
        rejects(IndexOutOfBoundsException.class, () -> z(3, 4).indexSelect(0, new int[] {-1}), "indexSelect",
                "index -1");
        rejects(IndexOutOfBoundsException.class, () -> z(2, 3).indexAdd(1, new int[] {0, 5, 1}, 5), "indexAdd",
                "index 5", "position 1", "[0, 5)");
        illegal(() -> z(2, 3).indexAdd(1, new int[] {0, 1}, 5), "indexAdd", "2 indices", "axis 1 of length 3",
                "[2, 3]");
        illegal(() -> Tensor.oneHot(new int[] {0, 3, 1}, 3), "oneHot", "label 3", "index 1", "[0, 3)",
                "number of classes");
        illegal(() -> Tensor.oneHot(new int[] {-1}, 3), "oneHot", "label -1");
        illegal(() -> Tensor.oneHot(new int[] {0}, 0), "oneHot", "classes must be positive", "0");
        rejects(IndexOutOfBoundsException.class, () -> z(2, 3).get(1, 3), "get", "index 3", "axis 1 of length 3");
        illegal(() -> z(2, 3).get(1), "get", "1 indices", "rank 2");
        illegal(() -> z(2, 3, 4).argmaxRows(), "argmaxRows", "rank-2", "[2, 3, 4]");
    }
}
