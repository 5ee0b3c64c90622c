using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MuonSharp.Lab.Experiments;

namespace MuonSharp.Lab.Configuration;

/// <summary>
/// Reads and overrides experiment configs. Keys are the config's property names in snake_case
/// (<c>hidden_dim</c>); values are parsed by the property's type; unknown keys and unparsable
/// values are <see cref="LabUserException"/>s naming the key and what is accepted.
/// </summary>
public static class ConfigOverrides
{
    /// <summary>JSON settings used for config.json and config files: snake_case, indented, enums as names.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The accepted keys of a config type and their value types (a key config.json leaves out while at its default is one).</summary>
    /// <param name="configType">A config record type.</param>
    public static IReadOnlyDictionary<string, Type> Keys(Type configType) =>
        configType.GetProperties()
            .Where(p => p.CanWrite && !p.GetCustomAttributes(typeof(JsonIgnoreAttribute), true).Cast<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.Always))
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => p.PropertyType);

    /// <summary>
    /// The value of <paramref name="key"/> in <paramref name="config"/> as config.json writes it, also for a key
    /// config.json leaves out while at its default (<c>cautious_wd</c>).
    /// </summary>
    /// <param name="config">A config.</param>
    /// <param name="key">One of its <see cref="Keys"/>.</param>
    public static JsonNode? ValueOf(ExperimentConfig config, string key)
    {
        var property = config.GetType().GetProperties().Single(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == key);
        return JsonSerializer.SerializeToNode(property.GetValue(config), property.PropertyType, Json);
    }

    /// <summary>Applies <c>key=value</c> pairs to <paramref name="config"/> and validates the result.</summary>
    /// <param name="config">The starting config (not modified).</param>
    /// <param name="assignments">Strings of the form <c>key=value</c>; lists are comma-separated.</param>
    public static ExperimentConfig Apply(ExperimentConfig config, IEnumerable<string> assignments)
    {
        var type = config.GetType();
        var keys = Keys(type);
        var node = JsonSerializer.SerializeToNode(config, type, Json)!.AsObject();
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new LabUserException($"Override '{assignment}' is not of the form key=value.");
            var key = assignment[..eq].Trim().Replace('-', '_');
            var text = assignment[(eq + 1)..].Trim();
            if (!keys.TryGetValue(key, out var valueType))
                throw new LabUserException($"Unknown config key '{key}'. Accepted: {string.Join(", ", keys.Keys.OrderBy(k => k))}.");
            node[key] = Parse(key, text, valueType);
        }
        return Validated(Deserialize(node, type));
    }

    /// <summary>Applies the keys of a JSON object file to <paramref name="config"/> (unknown keys are errors).</summary>
    /// <param name="config">The starting config.</param>
    /// <param name="path">Path to a JSON file with some of the config's keys.</param>
    public static ExperimentConfig ApplyFile(ExperimentConfig config, string path)
    {
        JsonObject file;
        try
        {
            file = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new LabUserException($"Config file '{path}' is empty; expected a JSON object.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            throw new LabUserException($"Cannot read config file '{path}': {e.Message}");
        }
        var type = config.GetType();
        var keys = Keys(type);
        var node = JsonSerializer.SerializeToNode(config, type, Json)!.AsObject();
        foreach (var (key, value) in file)
        {
            if (!keys.TryGetValue(key, out var valueType))
                throw new LabUserException($"Unknown config key '{key}' in '{path}'. Accepted: {string.Join(", ", keys.Keys.OrderBy(k => k))}.");
            CheckFileValue(key, value, valueType, path);
            node[key] = value!.DeepClone();
        }
        return Validated(Deserialize(node, type, path));
    }

    /// <summary>Throws a <see cref="LabUserException"/> listing every problem of <paramref name="config"/>.</summary>
    /// <param name="config">The config to check.</param>
    public static ExperimentConfig Validated(ExperimentConfig config)
    {
        var problems = config.Validate().ToList();
        if (problems.Count > 0) throw new LabUserException("Invalid config: " + string.Join("; ", problems) + ".");
        return config;
    }

    /// <summary>
    /// A file's value must be what <c>--set</c> would accept: no null, numbers that are JSON numbers and
    /// finite (the named literals "NaN"/"Infinity" that config.json may carry are refused here, as
    /// <c>--set</c> refuses them), whole numbers for integer keys.
    /// </summary>
    private static void CheckFileValue(string key, JsonNode? value, Type type, string path)
    {
        string Expect(string what) => $"Config key '{key}' in '{path}' expects {what}; got {value?.ToJsonString() ?? "null"}.";
        if (value is null) throw new LabUserException(Expect(type.IsArray ? "a list" : "a value"));
        if (type.IsArray)
        {
            if (value is not JsonArray items) throw new LabUserException(Expect("a list"));
            foreach (var item in items) CheckFileValue(key, item, type.GetElementType()!, path);
            return;
        }
        bool isNumber = value is JsonValue v && v.GetValueKind() == JsonValueKind.Number;
        if (type == typeof(double) && !(isNumber && ((JsonValue)value).TryGetValue<double>(out var d) && double.IsFinite(d)))
            throw new LabUserException(Expect("a finite number"));
        if (type == typeof(int) && !(isNumber && ((JsonValue)value).TryGetValue<int>(out _)))
            throw new LabUserException(Expect($"a whole number from {int.MinValue} to {int.MaxValue}"));
        if (type == typeof(long) && !(isNumber && ((JsonValue)value).TryGetValue<long>(out _)))
            throw new LabUserException(Expect("a whole number"));
    }

    private static ExperimentConfig Deserialize(JsonObject node, Type type, string? origin = null)
    {
        try
        {
            return (ExperimentConfig)node.Deserialize(type, Json)!;
        }
        catch (JsonException e)
        {
            var key = e.Path?.TrimStart('$', '.') ?? "?";
            throw new LabUserException($"Config value for '{key}'{(origin is null ? "" : $" in '{origin}'")} has the wrong type: {e.Message}");
        }
    }

    private static JsonNode? Parse(string key, string text, Type type)
    {
        var inv = CultureInfo.InvariantCulture;
        string Expect(string what) => $"Config key '{key}' expects {what}; got '{text}'.";
        if (type == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, inv, out var i) ? JsonValue.Create(i) : throw new LabUserException(Expect("an integer"));
        if (type == typeof(long))
            return long.TryParse(text, NumberStyles.Integer, inv, out var l) ? JsonValue.Create(l) : throw new LabUserException(Expect("an integer"));
        if (type == typeof(double))
            return double.TryParse(text, NumberStyles.Float, inv, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : throw new LabUserException(Expect("a finite number"));
        if (type == typeof(bool))
            return bool.TryParse(text, out var b) ? JsonValue.Create(b) : throw new LabUserException(Expect("true or false"));
        if (type == typeof(string))
            return JsonValue.Create(text);
        if (type.IsEnum)
        {
            var names = EnumNames(type);
            var match = names.FirstOrDefault(n => string.Equals(n, text.Replace('-', '_'), StringComparison.OrdinalIgnoreCase));
            return match is not null ? JsonValue.Create(match) : throw new LabUserException(Expect($"one of {string.Join(", ", names)}"));
        }
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return new JsonArray(items.Select(item => Parse(key, item, element)).ToArray());
        }
        throw new LabUserException($"Config key '{key}' has type {type.Name}, which cannot be set from the command line; use a JSON config file.");
    }

    /// <summary>The values of enum <paramref name="type"/> as configs write them (snake_case).</summary>
    /// <param name="type">An enum type of a config key.</param>
    public static IReadOnlyList<string> EnumNames(Type type) => Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToList();

}
