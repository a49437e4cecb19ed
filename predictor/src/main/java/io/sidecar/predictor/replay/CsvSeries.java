package io.sidecar.predictor.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@code timestamp,value} CSV read for replay. Timestamps may be epoch seconds, epoch milliseconds (values
 * above 1e11), microseconds (above 1e14), nanoseconds (above 1e17) or ISO-8601 (with 'T' or a space, with or without offset; no offset = UTC). A header row is
 * optional. Empty values and NaN/null/NA are missing values. A row that cannot be read is an error naming its
 * line. The time step is the median positive difference between timestamps; each row gets the index of its
 * time slot (its distance from the first row in steps, rounded) so gaps become missing observations.
 */
public final class CsvSeries {
    /** Longest gap filled with missing observations, in steps; beyond it the series simply continues. */
    static final int MAX_GAP_STEPS = 10_000;

    /** One input row: its line, the text to echo back, its time (epoch seconds) and value (NaN if missing). */
    public record Row(int line, String timestampText, String valueText, double epochSeconds, double value) {
    }

    private final List<Row> rows;
    private final boolean header;
    private final double stepSeconds;
    private final long[] slots;

    private CsvSeries(List<Row> rows, boolean header) {
        this.rows = rows;
        this.header = header;
        this.stepSeconds = medianStep(rows);
        this.slots = new long[rows.size()];
        // slots are positions on a grid anchored at the first row (row i sits at round((t_i - t_0) / step)), not
        // sums of rounded differences: with irregular timestamps (a 10-minute series sampled at 10, 10, 14 minutes)
        // rounding each difference loses up to half a step per row, and the drift misaligns the seasons (a NAB
        // traffic series drifted 21 ten-minute slots in 2 162 rows). Every row still takes a slot of its own
        // (duplicate or out-of-order timestamps advance by one); a gap longer than MAX_GAP_STEPS is shortened to
        // it and the grid is re-anchored at the row after it.
        long slot = 0;
        double anchorTime = rows.isEmpty() ? 0 : rows.get(0).epochSeconds();
        long anchorSlot = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                double t = rows.get(i).epochSeconds();
                long gap = stepSeconds > 0 ? anchorSlot + Math.round((t - anchorTime) / stepSeconds) - slot : 1;
                if (gap > MAX_GAP_STEPS) {
                    slot += MAX_GAP_STEPS;
                    anchorTime = t;
                    anchorSlot = slot;
                } else {
                    slot += Math.max(1, gap);
                }
            }
            slots[i] = slot;
        }
    }

    public List<Row> rows() {
        return rows;
    }

    public boolean hadHeader() {
        return header;
    }

    /** The data's own time step in seconds (0 when fewer than two distinct timestamps). */
    public double stepSeconds() {
        return stepSeconds;
    }

    /** The time slot of row i: consecutive rows differ by 1, a gap of k steps by k. */
    public long slot(int i) {
        return slots[i];
    }

    /** Thrown for unreadable input, with the 1-based line number. */
    public static final class MalformedCsvException extends Exception {
        private final int line;

        MalformedCsvException(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    public static CsvSeries read(Reader in) throws IOException, MalformedCsvException {
        BufferedReader reader = new BufferedReader(in);
        List<Row> rows = new ArrayList<>();
        boolean header = false;
        int columns = -1;
        String text;
        int line = 0;
        while ((text = reader.readLine()) != null) {
            line++;
            if (line == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            if (text.isBlank()) {
                continue;
            }
            String[] cells = split(text);
            if (cells.length < 2) {
                throw new MalformedCsvException(line, "expected 2 columns (timestamp,value), found "
                        + cells.length + ": \"" + abbreviate(text) + "\"");
            }
            double ts = parseTimestamp(cells[0]);
            double value = parseValue(cells[1]);
            if (columns < 0) {
                columns = cells.length;
                if (Double.isNaN(ts) && value == INVALID) {
                    header = true;
                    continue;
                }
            } else if (cells.length != columns) {
                throw new MalformedCsvException(line, "expected " + columns + " columns, found " + cells.length
                        + ": \"" + abbreviate(text) + "\"");
            }
            if (Double.isNaN(ts)) {
                throw new MalformedCsvException(line, "unreadable timestamp \"" + abbreviate(cells[0])
                        + "\" (expected epoch seconds, epoch milliseconds or ISO-8601)");
            }
            if (value == INVALID) {
                throw new MalformedCsvException(line, "unreadable value \"" + abbreviate(cells[1])
                        + "\" (expected a number, or empty / NaN for a missing value)");
            }
            rows.add(new Row(line, cells[0], cells[1], ts, value));
        }
        return new CsvSeries(rows, header);
    }

    private static final double INVALID = Double.NEGATIVE_INFINITY;

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    static String[] split(String line) {
        String[] parts = line.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
                p = p.substring(1, p.length() - 1).trim();
            }
            parts[i] = p;
        }
        return parts;
    }

    /** NaN for missing, {@link #INVALID} for unreadable. */
    static double parseValue(String s) {
        if (s.isEmpty()) {
            return Double.NaN;
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("nan") || lower.equals("null") || lower.equals("na") || lower.equals("none")) {
            return Double.NaN;
        }
        try {
            double v = Double.parseDouble(s);
            return Double.isInfinite(v) ? INVALID : v;
        } catch (NumberFormatException e) {
            return INVALID;
        }
    }

    /** Epoch seconds, or NaN when unreadable. */
    static double parseTimestamp(String s) {
        if (s.isEmpty()) {
            return Double.NaN;
        }
        char c = s.charAt(0);
        if (Character.isDigit(c) && s.indexOf('-') < 0 && s.indexOf(':') < 0) {
            try {
                double v = Double.parseDouble(s);
                // epoch seconds until 5138 AD; beyond that milli-, micro- or nanoseconds
                if (v > 1e17) {
                    return v / 1e9;
                }
                if (v > 1e14) {
                    return v / 1e6;
                }
                return v > 1e11 ? v / 1000.0 : v;
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        String iso = s.indexOf('T') < 0 && s.indexOf(' ') > 0 ? s.replaceFirst(" ", "T") : s;
        try {
            return seconds(Instant.parse(iso));
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return seconds(OffsetDateTime.parse(iso).toInstant());
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return seconds(LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return seconds(LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException ignored) {
            return Double.NaN;
        }
    }

    private static double seconds(Instant i) {
        return i.getEpochSecond() + i.getNano() / 1e9;
    }

    private static double medianStep(List<Row> rows) {
        double[] diffs = new double[Math.max(0, rows.size() - 1)];
        int n = 0;
        for (int i = 1; i < rows.size(); i++) {
            double d = rows.get(i).epochSeconds() - rows.get(i - 1).epochSeconds();
            if (d > 0) {
                diffs[n++] = d;
            }
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(diffs, 0, n);
        return diffs[n / 2];
    }
}
