using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

/// <summary>
/// Base of every MuonSharp optimizer's nested <c>Options</c>: the hyperparameters of one parameter
/// group, each declared once, as a property with a <see cref="HyperparameterAttribute"/> (its name,
/// default and accepted values; the learning rate's default by <see cref="DefaultLearningRateAttribute"/>).
/// Everything else follows from the declarations: a group's unset values are filled from the
/// optimizer's defaults, then from the declared defaults; the whole set is validated, so a bad value
/// fails with its name and what is accepted — never as a NaN many steps later; and values are copied,
/// saved and loaded by name.
/// </summary>
public abstract class HyperparameterOptions : OptimizerOptions
{
    /// <summary>The optimizer whose <c>state_dict()</c> listed these options last: it saves and loads its whole state at once.</summary>
    internal OptimizerBase? Driver { get; set; }

    /// <summary>Whether these are the first group's options, whose save and load carry the whole optimizer's state.</summary>
    internal bool Lead { get; set; }

    /// <summary>This type's declared hyperparameters, <c>lr</c> first.</summary>
    internal IReadOnlyList<HyperparameterDeclaration> Declarations => HyperparameterDeclaration.Of(GetType());

    /// <summary>
    /// Sets every unset hyperparameter to its value in <paramref name="defaults"/> (options of the same
    /// type) and, where that is unset too or <paramref name="defaults"/> is null, to its declared default.
    /// </summary>
    /// <param name="defaults">The optimizer-wide defaults, or null for the declared defaults alone.</param>
    public void FillFrom(HyperparameterOptions? defaults)
    {
        if (defaults is not null && defaults.GetType() != GetType())
            throw new ArgumentException($"Cannot fill {GetType().FullName} from {defaults.GetType().FullName}.", nameof(defaults));
        foreach (var declared in Declarations)
            if (declared.Get(this) is null) declared.Set(this, (defaults is null ? null : declared.Get(defaults)) ?? declared.Default);
    }

    /// <summary>Throws <see cref="ArgumentException"/> (or its <see cref="ArgumentOutOfRangeException"/>) naming the first bad or unset hyperparameter.</summary>
    public void Validate() => Validate(prefix: "");

    /// <summary>As <see cref="Validate()"/>, with names as a factory spells them (the hybrid's <c>adamw_</c>).</summary>
    internal void Validate(string prefix)
    {
        foreach (var declared in Declarations) declared.Check(declared.Get(this), prefix);
    }

    /// <summary>Copies every hyperparameter and the initial learning rate from <paramref name="source"/>, options of the same type.</summary>
    /// <param name="source">The options to copy.</param>
    public sealed override void LoadStateDict(OptimizerOptions source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.GetType() != GetType())
            throw new ArgumentException($"Cannot load {source.GetType().FullName} into {GetType().FullName}.", nameof(source));
        InitialLearningRate = source.InitialLearningRate;
        foreach (var declared in Declarations) declared.Set(this, declared.Get(source));
    }

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

    /// <summary>Writes the initial learning rate, then every hyperparameter by name.</summary>
    internal void WriteValues(BinaryWriter writer)
    {
        writer.Write(InitialLearningRate);
        writer.Write(Declarations.Count);
        foreach (var declared in Declarations)
        {
            writer.Write(declared.Name);
            declared.Write(writer, declared.Get(this) ?? throw new InvalidOperationException($"{declared.Name} is not set."));
        }
    }

    /// <summary>Reads what <see cref="WriteValues"/> wrote; every declared hyperparameter must be there (those added later may be absent), and nothing else.</summary>
    internal void ReadValues(BinaryReader reader)
    {
        var owner = GetType().DeclaringType?.Name ?? GetType().Name;
        InitialLearningRate = reader.ReadDouble();
        int count = reader.ReadInt32();
        if (count < 0 || count > 4 * Declarations.Count)
            throw new InvalidDataException($"The optimizer state is damaged: {count} hyperparameters for {owner}, which has {Declarations.Count}.");
        var read = new HashSet<string>();
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            var declared = Declarations.FirstOrDefault(d => d.Name == name)
                ?? throw new InvalidDataException($"The optimizer state holds a hyperparameter '{name}' that {owner} does not have.");
            declared.Set(this, declared.Read(reader));
            read.Add(name);
        }
        // A hyperparameter added after older states were saved takes the default that reproduces the old behaviour.
        foreach (var added in Declarations.Where(d => d.AbsentInOlderStates && !read.Contains(d.Name))) added.Set(this, added.Default);
        var missing = Declarations.Where(d => !d.AbsentInOlderStates && !read.Contains(d.Name)).Select(d => d.Name).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"The optimizer state lacks {owner}'s {string.Join(", ", missing)}.");
    }
}
