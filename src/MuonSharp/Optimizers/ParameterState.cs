using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// Per-parameter optimizer state kept as a fixed number of tensor slots plus a step counter and a
/// fixed number of further counters. Slots stay <c>null</c> until the parameter first receives a
/// gradient, so a parameter that never gets one costs no memory. Saving, loading, copying, moving
/// and disposing are written once here; each optimizer's nested <c>State</c> only names its slots
/// and counters.
/// </summary>
public abstract class ParameterState : OptimizerState, IDisposable
{
    private readonly Tensor?[] _slots;
    private readonly long[] _counters;

    /// <summary>Creates the state of one parameter with <paramref name="slotCount"/> empty slots.</summary>
    /// <param name="parameter">The parameter this state belongs to.</param>
    /// <param name="slotCount">How many persistent tensors the optimizer keeps per parameter.</param>
    /// <param name="counterCount">How many counters besides <see cref="step"/> it keeps (all start at 0).</param>
    protected ParameterState(Parameter parameter, int slotCount, int counterCount = 0) : base(parameter)
    {
        _slots = new Tensor?[slotCount];
        _counters = new long[counterCount];
    }

    /// <summary>Number of steps that updated this parameter (steps without a gradient do not count).</summary>
    public long step { get; set; }

    /// <summary>True once any slot holds a tensor, i.e. the parameter has been updated at least once.</summary>
    public bool IsInitialized => _slots.Any(s => s is not null);

    /// <summary>Reads counter <paramref name="index"/>.</summary>
    /// <param name="index">Counter number.</param>
    protected long GetCounter(int index) => _counters[index];

    /// <summary>Sets counter <paramref name="index"/>.</summary>
    /// <param name="index">Counter number.</param>
    /// <param name="value">The new value.</param>
    protected void SetCounter(int index, long value) => _counters[index] = value;

    /// <summary>Reads slot <paramref name="index"/>.</summary>
    /// <param name="index">Slot number.</param>
    protected Tensor? GetSlot(int index) => _slots[index];

    /// <summary>
    /// Replaces slot <paramref name="index"/>, disposing the tensor it held, and detaches the new
    /// tensor from any dispose scope so it survives the step that created it.
    /// </summary>
    /// <param name="index">Slot number.</param>
    /// <param name="value">The new persistent tensor, or null to clear the slot.</param>
    protected void SetSlot(int index, Tensor? value)
    {
        var old = _slots[index];
        if (ReferenceEquals(old, value)) return;
        old?.Dispose();
        _slots[index] = value?.DetachFromDisposeScope();
    }

    /// <inheritdoc />
    public override void SaveStateDict(BinaryWriter writer)
    {
        writer.Write(step);
        foreach (var counter in _counters) writer.Write(counter);
        foreach (var slot in _slots) SaveConditionalStateTensor(writer, slot);
    }

    /// <inheritdoc />
    public override void LoadStateDict(BinaryReader reader)
    {
        step = reader.ReadInt64();
        for (int i = 0; i < _counters.Length; i++) _counters[i] = reader.ReadInt64();
        for (int i = 0; i < _slots.Length; i++)
        {
            // Load into a fresh tensor: a slot may be null here and non-null in the file.
            Tensor? loaded = null;
            LoadConditionalStateTensor(reader, ref loaded!, _parameter.device);
            SetSlot(i, loaded);
        }
    }

    /// <inheritdoc />
    public override void LoadStateDict(OptimizerState source)
    {
        if (source is not ParameterState other || other.GetType() != GetType() || other._slots.Length != _slots.Length)
            throw new ArgumentException($"Cannot load {source?.GetType().Name ?? "null"} into {GetType().FullName}.", nameof(source));
        step = other.step;
        other._counters.CopyTo(_counters, 0);
        for (int i = 0; i < _slots.Length; i++)
            SetSlot(i, other._slots[i]?.to(_parameter.device, copy: true));
    }

    /// <inheritdoc />
    public override bool ApproximatelyEquals(OptimizerState other)
    {
        if (other is not ParameterState rhs || rhs._slots.Length != _slots.Length || rhs.step != step || !rhs._counters.SequenceEqual(_counters)) return false;
        for (int i = 0; i < _slots.Length; i++)
        {
            var (a, b) = (_slots[i], rhs._slots[i]);
            if (a is null != b is null) return false;
            if (a is not null && !a.allclose(b!)) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override void Initialize(OptimizerOptions options)
    {
        step = 0;
        Array.Clear(_counters);
        for (int i = 0; i < _slots.Length; i++) SetSlot(i, null);
    }

    /// <inheritdoc />
    public override void to(Device device)
    {
        for (int i = 0; i < _slots.Length; i++)
            if (_slots[i] is { } slot) SetSlot(i, slot.to(device));
    }

    /// <summary>Frees every slot's native memory.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _slots.Length; i++) SetSlot(i, null);
        GC.SuppressFinalize(this);
    }
}
