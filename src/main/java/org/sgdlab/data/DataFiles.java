package org.sgdlab.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Opening data files: missing-file messages with an install hint, gzip detected by its magic bytes. */
final class DataFiles {

    private DataFiles() {
    }

    /** The whole content of {@code file}, gunzipped when it starts with the gzip magic 1F 8B. */
    static byte[] readAll(Path file, String what, String hint) {
        if (!Files.isRegularFile(file)) {
            throw missing(file, what, hint);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return readAll(raw, file.toString(), what);
        } catch (NoSuchFileException e) {
            throw missing(file, what, hint);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot read " + file + ": " + e, e);
        }
    }

    /** The whole content of a stream, gunzipped when it starts with the gzip magic 1F 8B. */
    static byte[] readAll(InputStream raw, String source, String what) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        if (!gzip) {
            return in.readAllBytes();
        }
        try (InputStream gz = new GZIPInputStream(in, 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
            gz.transferTo(out);
            return out.toByteArray();
        } catch (EOFException | ZipException e) {
            throw new IllegalArgumentException(what + ": " + source + ": truncated or corrupt gzip stream ("
                    + e.getMessage() + ")", e);
        }
    }

    static UncheckedIOException missing(Path file, String what, String hint) {
        String msg = what + ": file not found: " + file.toAbsolutePath() + (hint == null || hint.isEmpty() ? ""
                : "; " + hint);
        return new UncheckedIOException(msg, new NoSuchFileException(file.toString()));
    }
}
