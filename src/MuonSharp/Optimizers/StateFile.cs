namespace MuonSharp.Optimizers;

/// <summary>
/// MuonSharp's optimizer state format, written inside TorchSharp's <c>save_state_dict</c> framing (the
/// optimizer's class name and its group and state counts) at the first group's options:
/// <code>
/// "MUONSHRP", format version, optimizer type
/// group count, state count
/// every group's initial learning rate and hyperparameters, by name
/// every parameter's state: its shape and dtype, layout, step, counters, tensors (TensorEncoding)
/// </code>
/// Reading checks all of it — the format, the optimizer, every hyperparameter, every parameter's shape
/// and dtype, every tensor's shape — into staged copies before it changes anything, so a load either
/// succeeds completely or leaves the optimizer as it was.
/// </summary>
internal static class StateFile
{
    /// <summary>The first bytes of a MuonSharp state, right after TorchSharp's framing.</summary>
    private static ReadOnlySpan<byte> Magic => "MUONSHRP"u8;

    /// <summary>
    /// The format this version writes and reads. 1: hyperparameters in a fixed order per optimizer.
    /// 2: hyperparameters by name and kind, as their declarations describe them (enums by member name).
    /// </summary>
    public const int FormatVersion = 2;

    public static void Write(OptimizerBase optimizer, BinaryWriter writer)
    {
        var (options, states) = optimizer.Contents();
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(optimizer.GetType().FullName!);
        writer.Write(options.Count);
        writer.Write(states.Count);
        foreach (var group in options) group.WriteValues(writer);
        foreach (var entry in states) entry.State.Write(writer);
    }

    public static void Read(OptimizerBase optimizer, BinaryReader reader)
    {
        var (options, states) = optimizer.Contents();
        var stagedOptions = new List<HyperparameterOptions>();
        var stagedStates = new List<ParameterState?>();
        string reading = "its header";
        try
        {
            ReadHeader(optimizer, reader, options.Count, states.Count);
            for (int g = 0; g < options.Count; g++)
            {
                reading = $"the hyperparameters of parameter group {g}";
                var staged = (HyperparameterOptions)Activator.CreateInstance(options[g].GetType())!;
                staged.ReadValues(reader);
                try { staged.Validate(); }
                catch (ArgumentException error) { throw new InvalidDataException($"The optimizer state holds invalid hyperparameters for parameter group {g}: {error.Message}", error); }
                stagedOptions.Add(staged);
            }

            var problems = new List<string>();
            foreach (var (parameter, group, state) in states)
            {
                string label = optimizer.LabelOf(parameter);
                reading = $"the state of parameter {label}";
                stagedStates.Add(state.ReadStaged(reader, label, (stagedOptions[group], options[group]), problems));
            }
            if (problems.Count > 0)
                throw new InvalidDataException($"This optimizer state was saved for other parameters; nothing was loaded:\n  {string.Join("\n  ", problems)}");
        }
        catch (Exception error)
        {
            foreach (var staged in stagedStates) staged?.Dispose();
            if (error is EndOfStreamException)
                throw new InvalidDataException($"The optimizer state ends early, in {reading}: the file was cut short (an interrupted save or copy?). Nothing was loaded.", error);
            if (error is IOException)
                throw new InvalidDataException($"The optimizer state is damaged, in {reading}: {error.Message} Nothing was loaded.", error);
            throw;
        }

        for (int g = 0; g < options.Count; g++) options[g].LoadStateDict(stagedOptions[g]);
        for (int i = 0; i < states.Count; i++) states[i].State.Adopt(stagedStates[i]!);
    }

    private static void ReadHeader(OptimizerBase optimizer, BinaryReader reader, int groups, int states)
    {
        Span<byte> magic = stackalloc byte[Magic.Length];
        if (reader.Read(magic) != magic.Length) throw new EndOfStreamException();
        if (!magic.SequenceEqual(Magic))
            throw new InvalidDataException(
                "This is not a MuonSharp optimizer state in a format this version knows: it lacks the header MuonSharp writes since " +
                $"state format 1. States saved before the format was versioned (MuonSharp 0.1.0) cannot be loaded; continue from the model's " +
                "saved weights with a fresh optimizer.");
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException(
                $"This optimizer state is in MuonSharp state format {version}; this version of MuonSharp reads format {FormatVersion}" +
                (version < FormatVersion ? ". Continue from the model's saved weights with a fresh optimizer." : ": load it with the MuonSharp that wrote it."));
        string type = reader.ReadString();
        if (type != optimizer.GetType().FullName)
            throw new InvalidDataException($"This optimizer state was saved by {type}; this optimizer is {optimizer.GetType().FullName}.");
        int savedGroups = reader.ReadInt32(), savedStates = reader.ReadInt32();
        if (savedGroups != groups || savedStates != states)
            throw new InvalidDataException(
                $"This optimizer state was saved with {savedGroups} parameter groups and {savedStates} parameters; this optimizer has {groups} and {states}.");
    }
}
