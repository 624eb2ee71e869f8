using System.Globalization;

namespace Switchyard.LoadBench;

/// <summary>
/// Folds the rows of several rounds into one row per run: every figure the median of its rounds, except lost,
/// duplicates, reordered, closed by server and errors, which are the worst round's (a correctness figure must hold in
/// every round).
/// </summary>
/// <remarks>
/// A run is its label (the first column) and, when one file holds several rows with that label, its place among
/// them. A round whose run failed (a row that is not a full table row) does not count; the label then says how many
/// rounds did (<c>raw (2 of 3 rounds)</c>).
/// </remarks>
internal static class Medians
{
    private static readonly HashSet<string> Worst = new(StringComparer.Ordinal) { "lost", "duplicates", "reordered", "errors", "closed by server" };

    public static IEnumerable<string> Rows(string header, IReadOnlyList<string[]> rounds)
    {
        var columns = Cells(header.Split('\n')[0]);
        var order = new List<(string Label, int Index)>();
        var rows = new Dictionary<(string Label, int Index), List<string[]>>();
        foreach (var lines in rounds)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                if (!line.StartsWith('|'))
                {
                    continue;
                }

                var cells = Cells(line);
                var index = seen.GetValueOrDefault(cells[0]);
                seen[cells[0]] = index + 1;
                var key = (cells[0], index);
                if (!rows.TryGetValue(key, out var list))
                {
                    rows[key] = list = [];
                    order.Add(key);
                }

                list.Add(cells);
            }
        }

        foreach (var key in order)
        {
            var all = rows[key];
            var complete = all.Where(r => r.Length == columns.Length).ToList();
            if (complete.Count == 0)
            {
                var reasons = all.Select(r => string.Join(" ", r.Skip(1))).Select(r => r.StartsWith("failed ", StringComparison.Ordinal) ? r[7..] : r);
                yield return $"| {key.Label} | failed in all {rounds.Count} rounds {string.Join("; ", reasons.Distinct())} |";
                continue;
            }

            var label = complete.Count == rounds.Count ? key.Label : $"{key.Label} ({complete.Count} of {rounds.Count} rounds)";
            var cells = new string[columns.Length];
            cells[0] = label;
            for (var i = 1; i < columns.Length; i++)
            {
                cells[i] = Fold(complete.Select(r => r[i]).ToList(), Worst.Contains(columns[i]));
            }

            yield return $"| {string.Join(" | ", cells)} |";
        }
    }

    private static string Fold(List<string> values, bool worst)
    {
        var numbers = new List<double>();
        var decimals = 0;
        var grouped = false;
        foreach (var value in values)
        {
            if (double.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
            {
                numbers.Add(number);
                var dot = value.IndexOf('.', StringComparison.Ordinal);
                decimals = Math.Max(decimals, dot < 0 ? 0 : value.Length - dot - 1);
                grouped |= value.Contains(',', StringComparison.Ordinal);
            }
        }

        if (numbers.Count == 0)
        {
            return values[0];
        }

        numbers.Sort();
        var n = numbers.Count;
        var result = worst ? numbers[^1] : n % 2 == 1 ? numbers[n / 2] : (numbers[(n / 2) - 1] + numbers[n / 2]) / 2;
        return result.ToString((grouped ? "N" : "F") + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static string[] Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}
