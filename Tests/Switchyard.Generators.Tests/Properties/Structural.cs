using System.Collections;
using System.Globalization;
using System.Reflection;
using Xunit;

namespace Switchyard.Generators.Tests.Properties;

/// <summary>
/// Structural equality for message records, stricter than record equality where it matters for serialization:
/// collections by content (records compare them by reference), <see cref="DateTime"/> by ticks and kind
/// (its own equality ignores the kind), <see cref="DateTimeOffset"/> by ticks and offset (its own equality compares
/// instants), floating point by bits (so -0 and 0 differ), decimals by value and scale (1.0 and 1.00 differ).
/// </summary>
internal static class Structural
{
    /// <summary>Fails with the path of the first difference.</summary>
    public static void AssertEqual<T>(T expected, T actual, string context = "")
    {
        if (Difference(expected, actual, "$") is { } difference)
        {
            Assert.Fail($"{difference}{(context.Length == 0 ? string.Empty : "\n" + context)}");
        }
    }

    /// <summary>Describes the first difference, or returns <see langword="null"/> when the values are equal.</summary>
    public static string? Difference(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        if (expected.GetType() != actual.GetType() && !(expected is IEnumerable && actual is IEnumerable))
        {
            return $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}";
        }

        switch (expected)
        {
            case string e:
                return string.Equals(e, (string)actual, StringComparison.Ordinal) ? null : $"{path}: expected {Show(e)}, got {Show(actual)}";
            case double e:
                return BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits((double)actual) ? null : Mismatch(path, e, actual);
            case float e:
                return BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits((float)actual) ? null : Mismatch(path, e, actual);
            case decimal e:
                return e == (decimal)actual && e.Scale == ((decimal)actual).Scale ? null : Mismatch(path, e, actual);
            case DateTime e:
                return e.Ticks == ((DateTime)actual).Ticks && e.Kind == ((DateTime)actual).Kind ? null : Mismatch(path, e, actual);
            case DateTimeOffset e:
                return e.EqualsExact((DateTimeOffset)actual) ? null : Mismatch(path, e, actual);
            case IDictionary e:
            {
                var a = (IDictionary)actual;
                if (e.Count != a.Count)
                {
                    return $"{path}: expected {e.Count} entries, got {a.Count}";
                }

                foreach (DictionaryEntry entry in e)
                {
                    if (!a.Contains(entry.Key))
                    {
                        return $"{path}: key {Show(entry.Key)} is missing";
                    }

                    if (Difference(entry.Value, a[entry.Key], $"{path}[{Show(entry.Key)}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }

            case IEnumerable e:
            {
                var expectedItems = e.Cast<object?>().ToList();
                var actualItems = ((IEnumerable)actual).Cast<object?>().ToList();
                if (expectedItems.Count != actualItems.Count)
                {
                    return $"{path}: expected {expectedItems.Count} elements, got {actualItems.Count}";
                }

                for (var i = 0; i < expectedItems.Count; i++)
                {
                    if (Difference(expectedItems[i], actualItems[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            }
        }

        var type = expected.GetType();
        if (type.GetCustomAttribute<MessageAttribute>() is not null)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (Difference(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}") is { } difference)
                {
                    return difference;
                }
            }

            return null;
        }

        // Booleans, integers, chars, enums, GUIDs and time spans: their own equality is exact.
        return expected.Equals(actual) ? null : Mismatch(path, expected, actual);
    }

    private static string Mismatch(string path, object expected, object actual) => $"{path}: expected {Show(expected)}, got {Show(actual)}";

    /// <summary>Shows a value unambiguously: strings escaped, dates with their kind or offset, numbers round-trippable.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + string.Concat(s.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:X4}")) + "\"",
        char c => Show(c.ToString()).Replace('"', '\''),
        DateTime d => $"{d.ToString("O", CultureInfo.InvariantCulture)} ({d.Kind})",
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        Enum e => $"{e} ({Convert.ToString(Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)})",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
