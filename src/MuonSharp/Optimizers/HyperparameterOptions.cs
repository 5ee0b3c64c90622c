using System.Globalization;
using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>
/// Base of every MuonSharp optimizer's nested <c>Options</c>: the hyperparameters of one parameter
/// group. Fields left <c>null</c> in a group are filled from the optimizer's defaults; then the
/// whole set is validated, so a bad value fails at construction with its name and the accepted
/// range — never as a NaN many steps later.
/// </summary>
public abstract class HyperparameterOptions : OptimizerOptions
{
    /// <summary>The optimizer whose <c>state_dict()</c> listed these options last: it saves and loads its whole state at once.</summary>
    internal OptimizerBase? Driver { get; set; }

    /// <summary>Whether these are the first group's options, whose save and load carry the whole optimizer's state.</summary>
    internal bool Lead { get; set; }

    /// <summary>
    /// TorchSharp's <c>save_state_dict</c> asks every group's options, then every state, to write
    /// itself. MuonSharp writes the whole optimizer at the first group's options instead (the rest write
    /// nothing), so that loading can check everything before it changes anything: see
    /// <see cref="OptimizerBase"/>. Options not listed by an optimizer write their values alone.
    /// </summary>
    /// <param name="writer">The stream.</param>
    public sealed override void SaveStateDict(BinaryWriter writer)
    {
        if (Driver is null) WriteValues(writer);
        else if (Lead) StateFile.Write(Driver, writer);
    }

    /// <summary>Reads what <see cref="SaveStateDict"/> wrote: the whole optimizer's state at the first group's options.</summary>
    /// <param name="reader">The stream.</param>
    public sealed override void LoadStateDict(BinaryReader reader)
    {
        if (Driver is null) ReadValues(reader);
        else if (Lead) StateFile.Read(Driver, reader);
    }

    /// <summary>Writes the learning rates and every hyperparameter, in a fixed order.</summary>
    /// <param name="writer">The stream.</param>
    protected internal virtual void WriteValues(BinaryWriter writer)
    {
        writer.Write(InitialLearningRate);
        writer.Write(LearningRate!.Value);
    }

    /// <summary>Reads what <see cref="WriteValues"/> wrote.</summary>
    /// <param name="reader">The stream.</param>
    protected internal virtual void ReadValues(BinaryReader reader)
    {
        InitialLearningRate = reader.ReadDouble();
        LearningRate = reader.ReadDouble();
    }

    /// <summary>Fills every unset field from <paramref name="defaults"/> (an instance of the same type).</summary>
    /// <param name="defaults">The optimizer-wide defaults.</param>
    public virtual void FillFrom(HyperparameterOptions defaults)
    {
        LearningRate ??= defaults.LearningRate;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad hyperparameter.</summary>
    public virtual void Validate()
    {
        Hyperparameter.RequireLearningRate(LearningRate);
    }
}

/// <summary>Validation of hyperparameter values with messages that name the value and the accepted range.</summary>
public static class Hyperparameter
{
    /// <summary>Learning rate: finite and ≥ 0.</summary>
    /// <param name="lr">The value to check.</param>
    public static void RequireLearningRate(double? lr) => RequireNonNegative(lr, "lr");

    /// <summary>A finite value ≥ 0.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The hyperparameter's name as the user wrote it.</param>
    public static void RequireNonNegative(double? value, string name)
    {
        double v = value ?? throw new ArgumentException($"{name} is not set.", name);
        if (!double.IsFinite(v) || v < 0)
            throw new ArgumentOutOfRangeException(name, v, $"Invalid {name}: {Show(v)}. Accepted: a finite number ≥ 0.");
    }

    /// <summary>A value in [0, 1): momentum and β coefficients.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The hyperparameter's name as the user wrote it.</param>
    public static void RequireUnitInterval(double? value, string name)
    {
        double v = value ?? throw new ArgumentException($"{name} is not set.", name);
        if (!(v >= 0 && v < 1))
            throw new ArgumentOutOfRangeException(name, v, $"Invalid {name}: {Show(v)}. Accepted: a number in [0, 1).");
    }

    /// <summary>A positive integer.</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The hyperparameter's name as the user wrote it.</param>
    public static void RequirePositive(int? value, string name)
    {
        int v = value ?? throw new ArgumentException($"{name} is not set.", name);
        if (v < 1) throw new ArgumentOutOfRangeException(name, v, $"Invalid {name}: {v}. Accepted: an integer ≥ 1.");
    }

    /// <summary>One of the <paramref name="accepted"/> values.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The hyperparameter's name as the user wrote it.</param>
    /// <param name="accepted">Every accepted value.</param>
    public static void RequireOneOf<T>(T? value, string name, params T[] accepted) where T : struct
    {
        T v = value ?? throw new ArgumentException($"{name} is not set.", name);
        if (!accepted.Contains(v))
            throw new ArgumentOutOfRangeException(name, v, $"Invalid {name}: {v}. Accepted: {string.Join(", ", accepted)}.");
    }

    /// <summary>Formats a number the same way on every machine (messages are read and tested).</summary>
    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A defined member of enum <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The enum type.</typeparam>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The hyperparameter's name as the user wrote it.</param>
    public static void RequireDefined<T>(T? value, string name) where T : struct, Enum
    {
        T v = value ?? throw new ArgumentException($"{name} is not set.", name);
        if (!Enum.IsDefined(v))
            throw new ArgumentOutOfRangeException(name, v, $"Invalid {name}: {v}. Accepted: {string.Join(", ", Enum.GetNames<T>())}.");
    }
}
