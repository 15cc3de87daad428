package dev.mosaic.shell.internal;

import java.util.ArrayList;
import java.util.List;

/** Plain-text tables for the console: a header row and left-aligned columns. */
final class Table {

    private final List<String[]> rows = new ArrayList<>();
    /** Lines under a row, by the row's index: not in the columns, so a long list does not widen them. */
    private final java.util.Map<Integer, List<String>> under = new java.util.HashMap<>();
    private final int columns;

    Table(String... header) {
        this.columns = header.length;
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) {
            Object c = i < cells.length ? cells[i] : null;
            r[i] = c == null ? "-" : c.toString();
        }
        rows.add(r);
        return this;
    }

    /** Adds a line under the last row, indented, outside the columns. */
    Table under(String line) {
        under.computeIfAbsent(rows.size() - 1, k -> new ArrayList<>()).add("    " + line);
        return this;
    }

    @Override
    public String toString() {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            for (int i = 0; i < columns; i++) {
                b.append(r[i]);
                if (i < columns - 1) {
                    b.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            b.append('\n');
            for (String line : under.getOrDefault(n, List.of())) {
                b.append(line).append('\n');
            }
        }
        return b.toString().stripTrailing();
    }
}
