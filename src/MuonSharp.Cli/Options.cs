using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MuonSharp.Cli;

/// <summary>Options whose bad values are refused at parse time with a message naming the value and the accepted range.</summary>
internal static class Options
{
    /// <summary>An optional whole-number option accepting values in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int?> WholeNumber(string name, string description, int min, int max = int.MaxValue) =>
        new(name)
        {
            Description = description,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
                result.AddError($"{name} {text}: expected a whole number from {min} to {max}.");
                return null;
            },
        };

    /// <summary>A comma-separated list of experiment ids, checked against the registry.</summary>
    public static Option<string[]> ExperimentIds(string name, string description) =>
        new(name) { Description = description, CustomParser = result => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray() };
}
