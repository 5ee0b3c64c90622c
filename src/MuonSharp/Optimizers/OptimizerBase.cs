using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// Base of every MuonSharp optimizer: the protocol of one <see cref="step"/> — refuse a disposed
/// optimizer, evaluate the closure, check every group's hyperparameters (a scheduler or the user may
/// have changed them since construction), then update under <c>no_grad</c> inside a dispose scope.
/// Every check runs before any parameter or state is touched, so a refused step changes nothing.
/// </summary>
public abstract class OptimizerBase : OptimizerHelper
{
    private bool _disposed;

    /// <summary>Performs one optimization step over every group.</summary>
    /// <param name="closure">Optional closure that re-evaluates the model and returns the loss.</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public sealed override Tensor step(Func<Tensor>? closure = null)
    {
        ThrowIfDisposed();
        Tensor? loss = null;
        if (closure is not null)
            using (enable_grad()) loss = closure();
        ValidateGroups();
        using (no_grad())
        using (NewDisposeScope())
            UpdateParameters();
        return loss!;
    }

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

    /// <summary>The update of a hybrid's half, whose checks the hybrid's <see cref="step"/> has made.</summary>
    internal void UpdateAsHalf() => UpdateParameters();

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
