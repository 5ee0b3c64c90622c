using TorchSharp.Modules;

namespace MuonSharp.Optimizers;

// How an optimizer's state is listed, copied, saved and loaded, kept apart from OptimizerBase.cs
// so that file reads as the step alone. The file format is StateFile's.
public abstract partial class OptimizerBase
{
    /// <summary>
    /// The optimizer's state as TorchSharp lists it: every group's options, then every parameter's
    /// state, in group order. Listing them also makes this optimizer the one that saves and loads
    /// them (see <see cref="HyperparameterOptions.SaveStateDict"/>): <c>save_state_dict</c> and
    /// <c>load_state_dict</c> call this first.
    /// </summary>
    public override StateDictionary state_dict()
    {
        ThrowIfDisposed();
        var dict = base.state_dict();
        for (int g = 0; g < dict.Options.Count; g++)
        {
            var options = (HyperparameterOptions)dict.Options[g];
            (options.Driver, options.Lead) = (this, g == 0);
        }
        foreach (var state in dict.State) ((ParameterState)state).Driver = this;
        return dict;
    }

    /// <summary>
    /// Copies another optimizer's <see cref="state_dict"/> into this one after checking all of it —
    /// option types and values, every state's type, parameter shape and dtype — so that a refused copy
    /// changes nothing.
    /// </summary>
    /// <param name="state_dict">The state of an optimizer of this type over parameters of the same shapes.</param>
    public override void load_state_dict(StateDictionary state_dict)
    {
        ArgumentNullException.ThrowIfNull(state_dict);
        var (options, states) = Contents();
        if (state_dict.Options.Count != options.Count || state_dict.State.Count != states.Count)
            throw new ArgumentException($"The state has {state_dict.Options.Count} parameter groups and {state_dict.State.Count} parameters; this optimizer has {options.Count} and {states.Count}.", nameof(state_dict));
        var problems = new List<string>();
        for (int g = 0; g < options.Count; g++)
        {
            if (state_dict.Options[g] is not HyperparameterOptions source || source.GetType() != options[g].GetType())
                problems.Add($"parameter group {g}: its options are a {state_dict.Options[g]?.GetType().FullName ?? "null"}, not a {options[g].GetType().FullName}");
            else
            {
                try { source.Validate(); }
                catch (ArgumentException error) { problems.Add($"parameter group {g}: {error.Message}"); }
            }
        }
        for (int i = 0; i < states.Count; i++)
            if (states[i].State.Incompatibility(state_dict.State[i]) is { } problem) problems.Add($"parameter {Describe(states[i].Parameter)}: {problem}");
        if (problems.Count > 0)
            throw new ArgumentException($"Cannot load this state; nothing was changed:\n  {string.Join("\n  ", problems)}", nameof(state_dict));
        base.load_state_dict(state_dict);
    }

    /// <summary>Every group's options and every parameter with its group index and state, in <see cref="state_dict"/>'s order.</summary>
    internal (List<HyperparameterOptions> Options, List<(Parameter Parameter, int Group, ParameterState State)> States) Contents()
    {
        var options = new List<HyperparameterOptions>();
        var states = new List<(Parameter, int, ParameterState)>();
        foreach (var group in _parameter_groups)
        {
            foreach (var parameter in group.Parameters) states.Add((parameter, options.Count, (ParameterState)_state[parameter.Handle]));
            options.Add((HyperparameterOptions)group.Options);
        }
        return (options, states);
    }

    /// <summary>The parameter as messages name it.</summary>
    internal string LabelOf(Parameter parameter) => Describe(parameter);
}
