using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// The bookkeeping every MuonSharp optimizer shares, so each optimizer file holds only its math:
/// parameter groups with defaults filled in and validated (<see cref="HyperparameterOptions"/>), one
/// lazily-filled state per parameter created from its group's options, readable names for error
/// messages, and the step loop: every parameter with a gradient, its step counted, goes to
/// <see cref="Update"/> — or, for an optimizer that batches work across a group's parameters, to
/// <see cref="UpdateGroup"/>. The step's checks, save and load are <see cref="OptimizerBase"/>'s.
/// </summary>
/// <typeparam name="TOptions">The optimizer's nested hyperparameter type.</typeparam>
/// <typeparam name="TState">The optimizer's nested per-parameter state type.</typeparam>
public abstract class ManagedOptimizer<TOptions, TState> : OptimizerBase
    where TOptions : HyperparameterOptions, new()
    where TState : ParameterState
{
    private readonly IReadOnlyDictionary<IntPtr, string> _names;

    /// <summary>Completes and validates <paramref name="defaults"/>, then adds every group.</summary>
    /// <param name="groups">Parameter groups; options left null are taken from <paramref name="defaults"/>.</param>
    /// <param name="defaults">Optimizer-wide hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="names">Parameter names (from <c>named_parameters()</c>) for error messages, when known.</param>
    protected ManagedOptimizer(IEnumerable<ParamGroup<TOptions>> groups, TOptions? defaults, IReadOnlyDictionary<IntPtr, string>? names)
        : this(groups, defaults, names, allowEmpty: false)
    {
    }

    /// <summary>As the public constructor; <paramref name="allowEmpty"/> lets one half of a hybrid have no parameters.</summary>
    private protected ManagedOptimizer(IEnumerable<ParamGroup<TOptions>> groups, TOptions? defaults, IReadOnlyDictionary<IntPtr, string>? names, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(groups);
        defaults ??= new TOptions();
        defaults.FillFrom(null);
        defaults.Validate();
        defaults.InitialLearningRate = defaults.LearningRate!.Value;
        _defaults = defaults;
        _names = names ?? new Dictionary<IntPtr, string>();
        _parameter_groups = new List<ParamGroup>();
        foreach (var group in groups) add_param_group(group);
        if (!allowEmpty && LabelCount == 0)
            throw new ArgumentException($"{GetType().Name} got an empty parameter list; pass the model's parameters() or named_parameters().", "parameters");
    }

    /// <summary>The optimizer-wide defaults that groups inherit.</summary>
    protected TOptions Defaults => (TOptions)_defaults;

    /// <summary>The state of <paramref name="parameter"/>; its slots are null until its first gradient.</summary>
    /// <param name="parameter">A parameter this optimizer updates.</param>
    public TState StateOf(Parameter parameter) =>
        _state.ContainsKey(parameter.Handle)
            ? (TState)_state[parameter.Handle]
            : throw new ArgumentException($"Parameter {Describe(parameter)} is not optimized by this {GetType().Name}.", nameof(parameter));

    /// <summary>
    /// Adds a parameter group: unset options come from the defaults, then options and every
    /// parameter's shape are validated. A parameter already in another group is refused.
    /// </summary>
    /// <param name="param_group">The group; its <c>Options</c> must be this optimizer's <c>Options</c> type or null.</param>
    public override void add_param_group(ParamGroup param_group)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(param_group);
        param_group.Options ??= new TOptions();
        if (param_group.Options is not TOptions options)
            throw new ArgumentException($"{GetType().Name} expects parameter groups with {typeof(TOptions).FullName}, got {param_group.Options.GetType().FullName}.", nameof(param_group));
        options.FillFrom(Defaults);
        options.Validate();
        options.InitialLearningRate = options.LearningRate!.Value;

        var parameters = (param_group.Parameters ?? throw new ArgumentException("The parameter group has no parameter list.", nameof(param_group))).ToList();
        var labels = new Dictionary<IntPtr, string>();
        var refused = new List<string>();
        foreach (var parameter in parameters)
        {
            var label = Label(parameter, _names.GetValueOrDefault(parameter.Handle), LabelCount + labels.Count);
            if (HasLabel(parameter) || labels.ContainsKey(parameter.Handle))
                throw new ArgumentException($"Parameter {label} appears in more than one parameter group; give each parameter to exactly one group.", nameof(param_group));
            labels[parameter.Handle] = label;
            string? reason = parameter.is_floating_point()
                ? Refusal(parameter)
                : $"dtype {parameter.dtype}; optimizers update floating-point parameters only";
            if (reason is not null) refused.Add($"{label}: {reason}");
        }
        if (refused.Count > 0) throw new ArgumentException(RefusalMessage(refused, labels), "parameters");

        foreach (var parameter in parameters) SetLabel(parameter, labels[parameter.Handle]);
        param_group.Parameters = parameters;
        _parameter_groups.Add(param_group);
        foreach (var parameter in parameters)
        {
            var state = CreateState(parameter, options);
            state.Initialize(options);
            _state[parameter.Handle] = state;
        }
    }

    /// <summary>Every group's parameters that have a gradient (and do not sit this step out), their steps counted, to <see cref="UpdateGroup"/>.</summary>
    private protected override void UpdateParameters()
    {
        foreach (var group in _parameter_groups.Cast<ParamGroup<TOptions>>())
        {
            var steps = new List<ParameterStep>();
            foreach (var parameter in group.Parameters)
            {
                var grad = GradientToApply(parameter);
                if (grad is null) continue; // No gradient (or a skipped one): neither the parameter nor its state changes.
                var state = (TState)_state[parameter.Handle];
                state.step++;
                steps.Add(new ParameterStep(parameter, grad, state));
            }
            if (steps.Count > 0) UpdateGroup(steps, group.Options);
        }
    }

    /// <summary>One parameter's part of a step: the parameter, its gradient, its state (whose <c>step</c> counts this step).</summary>
    /// <param name="Parameter">The parameter to update in place.</param>
    /// <param name="Gradient">Its gradient, same shape.</param>
    /// <param name="State">Its state.</param>
    protected readonly record struct ParameterStep(Parameter Parameter, Tensor Gradient, TState State);

    /// <summary>
    /// Updates the parameters of one group that have a gradient in this step: one by one with
    /// <see cref="Update"/>, unless an optimizer batches work across them (Muon stacks same-shaped
    /// matrices). Runs under <c>no_grad</c> inside a dispose scope.
    /// </summary>
    /// <param name="steps">The group's parameters with a gradient, in group order.</param>
    /// <param name="options">The group's hyperparameters.</param>
    protected virtual void UpdateGroup(IReadOnlyList<ParameterStep> steps, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(steps);
        foreach (var (parameter, grad, state) in steps) Update(parameter, grad, state, options);
    }

    /// <summary>Updates one parameter in place. Runs under <c>no_grad</c> inside a dispose scope.</summary>
    /// <param name="parameter">The parameter to update.</param>
    /// <param name="grad">Its gradient, same shape.</param>
    /// <param name="state">Its state; <c>step</c> already counts this step.</param>
    /// <param name="options">The hyperparameters of its group.</param>
    protected abstract void Update(Parameter parameter, Tensor grad, TState state, TOptions options);

    /// <summary>Creates the (empty) state of one parameter.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="options">Its group's hyperparameters, complete (Shampoo's block layout depends on them).</param>
    protected abstract TState CreateState(Parameter parameter, TOptions options);

    /// <summary>Why this optimizer cannot update <paramref name="parameter"/> (e.g. "1-D" for Muon), or null when it can.</summary>
    /// <param name="parameter">A floating-point parameter.</param>
    protected virtual string? Refusal(Parameter parameter) => null;

    /// <summary>What to do with refused parameters, appended to the message that lists them; null for nothing.</summary>
    protected virtual string? RefusalAdvice => null;

    /// <summary>One message listing every refused parameter, so a user fixes them all at once.</summary>
    private string RefusalMessage(List<string> refused, Dictionary<IntPtr, string> labels)
    {
        var message = $"{GetType().Name} cannot update {(refused.Count == 1 ? "this parameter" : $"these {refused.Count} parameters")}:\n  {string.Join("\n  ", refused)}";
        if (RefusalAdvice is { } advice) message += "\n" + advice;
        if (labels.Keys.Any(handle => !_names.ContainsKey(handle)))
            message += "\nParameters are numbered in the order given; pass model.named_parameters() instead of parameters() to see their names.";
        return message;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var entry in _state) ((TState)entry.Item2).Dispose();
        _state.Clear();
    }
}
