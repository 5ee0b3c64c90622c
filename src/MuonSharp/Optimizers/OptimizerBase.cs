using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// Base of every MuonSharp optimizer: the protocol of one <see cref="step"/> — refuse a disposed
/// optimizer, evaluate the closure, check every group's hyperparameters (a scheduler or the user may
/// have changed them since construction), check every gradient for NaN and ±Inf, then update under
/// <c>no_grad</c> inside a dispose scope. Every check runs before any parameter or state is touched,
/// so a refused step changes nothing. Saving and loading state: <c>OptimizerBase.State.cs</c>.
/// </summary>
public abstract partial class OptimizerBase : OptimizerHelper
{
    private readonly Dictionary<IntPtr, string> _labels = new();
    private IReadOnlySet<IntPtr> _skipped = new HashSet<IntPtr>();
    private bool _disposed;

    /// <summary>What <see cref="step"/> does with a gradient that holds NaN or ±Inf (default: throw).</summary>
    public NonFiniteGradientPolicy NonFiniteGradients { get; set; } = NonFiniteGradientPolicy.Throw;

    /// <summary>
    /// Calls to <see cref="step"/> in which at least one parameter sat the step out under
    /// <see cref="NonFiniteGradientPolicy.Skip"/>, since this optimizer was created (not saved with its state).
    /// </summary>
    public long SkippedSteps { get; private set; }

    /// <summary>Performs one optimization step over every group.</summary>
    /// <param name="closure">Optional closure that re-evaluates the model and returns the loss.</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    /// <exception cref="NonFiniteGradientException">A gradient holds NaN or ±Inf under <see cref="NonFiniteGradientPolicy.Throw"/>.</exception>
    public sealed override Tensor step(Func<Tensor>? closure = null)
    {
        ThrowIfDisposed();
        Tensor? loss = null;
        if (closure is not null)
            using (enable_grad()) loss = closure();
        ValidateGroups();
        var skipped = NonFiniteGradientsToSkip();
        using (no_grad())
        using (NewDisposeScope())
            UpdateAsHalf(skipped);
        return loss!;
    }

    /// <summary>
    /// The parameters whose gradient holds NaN or ±Inf, when the policy skips them (usually none);
    /// throws under <see cref="NonFiniteGradientPolicy.Throw"/>.
    /// </summary>
    private IReadOnlySet<IntPtr> NonFiniteGradientsToSkip()
    {
        var bad = NonFiniteGradientCheck.Find(parameters());
        if (bad.Count == 0) return new HashSet<IntPtr>();
        if (NonFiniteGradients == NonFiniteGradientPolicy.Skip)
        {
            SkippedSteps++;
            return bad.Select(b => b.Parameter.Handle).ToHashSet();
        }
        var labels = bad.Select(b => Describe(b.Parameter)).ToList();
        var lines = bad.Zip(labels, (b, label) => $"{label} at step {StepOf(b.Parameter) + 1}: {b.Contents}");
        throw new NonFiniteGradientException(
            $"Non-finite gradients at step() of this {GetType().Name}; nothing was updated:\n  {string.Join("\n  ", lines)}\n" +
            "The loss or a gradient overflowed (lower the learning rate or the loss scale, or check the data). To let the affected " +
            $"parameters sit such steps out instead, set {nameof(NonFiniteGradients)} = {nameof(NonFiniteGradientPolicy)}.{nameof(NonFiniteGradientPolicy.Skip)} ({nameof(SkippedSteps)} counts them).",
            labels);
    }

    /// <summary>How many steps have updated <paramref name="parameter"/> so far.</summary>
    private long StepOf(Parameter parameter) => _state[parameter.Handle] is ParameterState state ? state.step : 0;

    /// <summary>
    /// The gradient to update <paramref name="parameter"/> with in this step: null when it has none or
    /// sits the step out for a non-finite gradient. Then neither the parameter nor its state changes.
    /// </summary>
    /// <param name="parameter">A parameter of this optimizer.</param>
    protected Tensor? GradientToApply(Parameter parameter) => _skipped.Contains(parameter.Handle) ? null : parameter.grad;

    /// <summary>Throws naming the first group whose hyperparameters are no longer valid.</summary>
    private void ValidateGroups()
    {
        int index = 0;
        foreach (var group in _parameter_groups)
        {
            try { ((HyperparameterOptions)group.Options).Validate(); }
            catch (ArgumentException error) { throw InGroup(error, index); }
            index++;
        }
    }

    /// <summary>Updates every parameter that has a gradient. Runs under <c>no_grad</c> inside a dispose scope.</summary>
    private protected abstract void UpdateParameters();

    /// <summary>The update after the checks; a hybrid calls it on its halves after its own checks.</summary>
    /// <param name="skipped">Parameters that sit this step out.</param>
    internal void UpdateAsHalf(IReadOnlySet<IntPtr> skipped)
    {
        _skipped = skipped;
        try { UpdateParameters(); }
        finally { _skipped = new HashSet<IntPtr>(); }
    }

    /// <summary>The parameters that sit the current step out (read by a hybrid to pass on to its halves).</summary>
    private protected IReadOnlySet<IntPtr> SkippedInThisStep => _skipped;

    /// <summary>Number of parameters with a label, i.e. added to this optimizer.</summary>
    private protected int LabelCount => _labels.Count;

    /// <summary>Records how messages show a parameter: its name (or position) and shape.</summary>
    private protected void SetLabel(Parameter parameter, string label) => _labels[parameter.Handle] = label;

    /// <summary>Whether <paramref name="parameter"/> was added to this optimizer.</summary>
    private protected bool HasLabel(Parameter parameter) => _labels.ContainsKey(parameter.Handle);

    /// <summary>Name (or position) and shape of a parameter, as error messages show it.</summary>
    /// <param name="parameter">A parameter of this optimizer.</param>
    protected string Describe(Parameter parameter) =>
        _labels.TryGetValue(parameter.Handle, out var label) ? label : Label(parameter, null, -1);

    /// <summary>"'name' with shape [..]", or "#index with shape [..]" when the name is unknown.</summary>
    private protected static string Label(Parameter parameter, string? name, int index)
    {
        var shape = $"[{string.Join(", ", parameter.shape)}]";
        if (name is not null) return $"'{name}' with shape {shape}";
        return index >= 0 ? $"#{index} with shape {shape}" : $"with shape {shape}";
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once this optimizer has been disposed.</summary>
    protected void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(GetType().Name,
                $"This {GetType().Name} was disposed, which freed its state; create a new optimizer (and load a saved state into it) to continue.");
    }

    /// <summary>
    /// A hyperparameter error found at <see cref="step"/>, with the group it was found in: the value
    /// was valid at construction, so the user needs to know where it was changed.
    /// </summary>
    private Exception InGroup(ArgumentException error, int group)
    {
        string where = $" Found at step() in parameter group {group} of this {GetType().Name}: it was changed after construction.";
        return error is ArgumentOutOfRangeException range
            ? new ArgumentOutOfRangeException(range.ParamName, range.ActualValue, OwnMessage(range) + where)
            : new ArgumentException(OwnMessage(error) + where, error.ParamName);
    }

    /// <summary>
    /// The message an argument exception was created with, without the " (Parameter 'x')" and
    /// "Actual value was …" lines .NET appends to <see cref="Exception.Message"/>: they are the
    /// message of the same exception type created with an empty message.
    /// </summary>
    private static string OwnMessage(ArgumentException error)
    {
        var suffix = (error is ArgumentOutOfRangeException range
            ? new ArgumentOutOfRangeException(range.ParamName, range.ActualValue, "")
            : new ArgumentException("", error.ParamName)).Message;
        return error.Message.EndsWith(suffix, StringComparison.Ordinal) ? error.Message[..^suffix.Length] : error.Message;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
