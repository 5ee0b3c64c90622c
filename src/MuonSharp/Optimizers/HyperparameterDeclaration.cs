using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>
/// One hyperparameter of an <c>Options</c> type as its <see cref="HyperparameterAttribute"/> declares it
/// (the learning rate, TorchSharp's <c>LearningRate</c>, as <c>lr</c> with the class's
/// <see cref="DefaultLearningRateAttribute"/>), read once per type: what every hyperparameter needs —
/// its default, its check and message, its encoding in a saved state — written once here.
/// </summary>
internal sealed class HyperparameterDeclaration
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<HyperparameterDeclaration>> Declarations = new();

    private readonly PropertyInfo _property;

    private HyperparameterDeclaration(string name, PropertyInfo property, object? @default, HyperparameterRule rule, object[]? accepted, bool absentInOlderStates = false)
    {
        AbsentInOlderStates = absentInOlderStates;
        _property = property;
        Name = name;
        Type = Nullable.GetUnderlyingType(property.PropertyType)
            ?? throw new InvalidOperationException($"Hyperparameter {property.DeclaringType?.Name}.{name} must have a nullable type (null means: inherit).");
        if (Type != typeof(double) && Type != typeof(int) && Type != typeof(bool) && !Type.IsEnum)
            throw new InvalidOperationException($"Hyperparameter {name} has type {Type.Name}; declared hyperparameters are double, int, bool or an enum.");
        Default = @default is null ? null : Type.IsEnum ? Enum.ToObject(Type, @default) : Convert.ChangeType(@default, Type, CultureInfo.InvariantCulture);
        Rule = rule;
        Accepted = accepted?.Select(a => Enum.ToObject(Type, a)).ToArray();
    }

    /// <summary>The name users write (PyTorch's): <c>lr</c>, <c>momentum</c>, <c>ns_steps</c>, …</summary>
    public string Name { get; }

    /// <summary>The value type: double, int, bool or an enum.</summary>
    public Type Type { get; }

    /// <summary>The declared default; null for a learning rate without one.</summary>
    public object? Default { get; }

    /// <summary>The numbers it accepts.</summary>
    public HyperparameterRule Rule { get; }

    /// <summary>For an enum, the accepted members when not all are.</summary>
    public object[]? Accepted { get; }

    /// <summary>Whether a saved state may lack it (it was added later); it then loads with <see cref="Default"/>.</summary>
    public bool AbsentInOlderStates { get; }

    /// <summary>The declarations of <paramref name="optionsType"/>: <c>lr</c> first, then its properties in declaration order.</summary>
    public static IReadOnlyList<HyperparameterDeclaration> Of(Type optionsType) => Declarations.GetOrAdd(optionsType, type =>
    {
        var learningRate = typeof(OptimizerOptions).GetProperty(nameof(OptimizerOptions.LearningRate))!;
        var declared = new List<HyperparameterDeclaration>
        {
            new("lr", learningRate, type.GetCustomAttribute<DefaultLearningRateAttribute>()?.Value, HyperparameterRule.NonNegative, null),
        };
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
            if (property.GetCustomAttribute<HyperparameterAttribute>() is { } attribute)
                declared.Add(new(property.Name, property, attribute.Default, attribute.Rule, attribute.Accepted, attribute.AbsentInOlderStates));
        return declared;
    });

    /// <summary>The value in <paramref name="options"/>; null when unset.</summary>
    public object? Get(OptimizerOptions options) => _property.GetValue(options);

    /// <summary>Sets the value in <paramref name="options"/> (null unsets it).</summary>
    public void Set(OptimizerOptions options, object? value) => _property.SetValue(options, value);

    /// <summary>Throws naming the hyperparameter (as <paramref name="prefix"/> + name), the value and what is accepted.</summary>
    public void Check(object? value, string prefix = "")
    {
        string name = prefix + Name;
        if (value is null) throw new ArgumentException($"{name} is not set.", name);
        if (Accepts(value)) return;
        throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {Show(value)}. Accepted: {Description}.");
    }

    private bool Accepts(object value) => value switch
    {
        double v => Rule switch
        {
            HyperparameterRule.NonNegative => double.IsFinite(v) && v >= 0,
            HyperparameterRule.Positive => double.IsFinite(v) && v > 0,
            HyperparameterRule.UnitInterval => v >= 0 && v < 1,
            HyperparameterRule.ClosedUnitInterval => v >= 0 && v <= 1,
            HyperparameterRule.OpenUnitInterval => v > 0 && v < 1,
            _ => double.IsFinite(v),
        },
        int v => Rule switch
        {
            HyperparameterRule.NonNegative => v >= 0,
            HyperparameterRule.Positive => v >= 1,
            _ => true,
        },
        Enum => Accepted?.Contains(value) ?? Enum.IsDefined(Type, value),
        _ => true,
    };

    private string Description => Type switch
    {
        _ when Type.IsEnum => string.Join(", ", Accepted ?? Enum.GetValues(Type).Cast<object>().ToArray()),
        _ when Type == typeof(int) => Rule == HyperparameterRule.Positive ? "an integer ≥ 1" : "an integer ≥ 0",
        _ => Rule switch
        {
            HyperparameterRule.NonNegative => "a finite number ≥ 0",
            HyperparameterRule.Positive => "a finite number > 0",
            HyperparameterRule.UnitInterval => "a number in [0, 1)",
            HyperparameterRule.ClosedUnitInterval => "a number in [0, 1]",
            HyperparameterRule.OpenUnitInterval => "a number in (0, 1)",
            _ => "a finite number",
        },
    };

    /// <summary>Formats a value the same way on every machine (messages are read and tested).</summary>
    public static string Show(object value) => value is IFormattable formattable && value is not Enum
        ? formattable.ToString(null, CultureInfo.InvariantCulture)
        : value.ToString()!;

    /// <summary>Writes the value, tagged with its kind; an enum by member name, so reordering members keeps old states readable.</summary>
    public void Write(BinaryWriter writer, object value)
    {
        switch (value)
        {
            case double v: writer.Write('d'); writer.Write(v); break;
            case int v: writer.Write('i'); writer.Write(v); break;
            case bool v: writer.Write('b'); writer.Write(v); break;
            default: writer.Write('e'); writer.Write(value.ToString()!); break;
        }
    }

    /// <summary>Reads a value written by <see cref="Write"/>; throws when it is not of this hyperparameter's type.</summary>
    public object Read(BinaryReader reader)
    {
        char kind = reader.ReadChar();
        object value;
        switch (kind)
        {
            case 'd': value = reader.ReadDouble(); break;
            case 'i': value = reader.ReadInt32(); break;
            case 'b': value = reader.ReadBoolean(); break;
            case 'e':
                string member = reader.ReadString();
                if (!Type.IsEnum || !Enum.TryParse(Type, member, out var parsed) || !Enum.IsDefined(Type, parsed))
                    throw new InvalidDataException($"The optimizer state holds {Name} = {member}; {Name} accepts {Description}.");
                return parsed;
            default: throw new InvalidDataException($"The optimizer state is damaged: {Name} has a value of unknown kind '{kind}'.");
        }
        if (value.GetType() != Type)
            throw new InvalidDataException($"The optimizer state holds {Name} as a {value.GetType().Name}; {Name} is a {Type.Name}.");
        return value;
    }
}
