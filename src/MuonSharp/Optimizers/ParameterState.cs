using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// Per-parameter optimizer state kept as a fixed number of tensor slots plus a step counter and a
/// fixed number of further counters. Slots stay <c>null</c> until the parameter first receives a
/// gradient, so a parameter that never gets one costs no memory. Saving, loading, copying, moving
/// and disposing are written once here; each optimizer's nested <c>State</c> only names its slots
/// and counters (and, where a slot is not shaped like the parameter, says what it holds).
/// </summary>
public abstract class ParameterState : OptimizerState, IDisposable
{
    private Tensor?[] _slots;
    private long[] _counters;

    /// <summary>Creates the state of one parameter with <paramref name="slotCount"/> empty slots and no counter besides <see cref="step"/>.</summary>
    /// <param name="parameter">The parameter this state belongs to.</param>
    /// <param name="slotCount">How many persistent tensors the optimizer keeps per parameter.</param>
    protected ParameterState(Parameter parameter, int slotCount) : this(parameter, slotCount, counterCount: 0) { }

    /// <summary>Creates the state of one parameter with <paramref name="slotCount"/> empty slots.</summary>
    /// <param name="parameter">The parameter this state belongs to.</param>
    /// <param name="slotCount">How many persistent tensors the optimizer keeps per parameter.</param>
    /// <param name="counterCount">How many counters besides <see cref="step"/> it keeps (all start at 0).</param>
    protected ParameterState(Parameter parameter, int slotCount, int counterCount) : this(parameter, slotCount, counterCount, slotCount) { }

    /// <summary>
    /// Creates the state of one parameter with <paramref name="slotCount"/> empty slots, of which the
    /// last ones were added after states were first saved: a saved state holding only the first
    /// <paramref name="slotsInOlderStates"/> loads with the others empty (Muon's NorMuon second moment).
    /// </summary>
    /// <param name="parameter">The parameter this state belongs to.</param>
    /// <param name="slotCount">How many persistent tensors the optimizer keeps per parameter.</param>
    /// <param name="counterCount">How many counters besides <see cref="step"/> it keeps (all start at 0).</param>
    /// <param name="slotsInOlderStates">How many slots states saved before the newer ones existed hold (≤ <paramref name="slotCount"/>).</param>
    protected ParameterState(Parameter parameter, int slotCount, int counterCount, int slotsInOlderStates) : base(parameter)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slotsInOlderStates, slotCount);
        _slots = new Tensor?[slotCount];
        _counters = new long[counterCount];
        _slotsInOlderStates = slotsInOlderStates;
    }

    private readonly int _slotsInOlderStates;

    /// <summary>Number of steps that updated this parameter (steps without a gradient do not count).</summary>
    public long step { get; set; }

    /// <summary>True once any slot holds a tensor, i.e. the parameter has been updated at least once.</summary>
    public bool IsInitialized => _slots.Any(s => s is not null);

    /// <summary>The optimizer whose <c>state_dict()</c> listed this state last: it saves and loads it (see <see cref="HyperparameterOptions.SaveStateDict"/>).</summary>
    internal OptimizerBase? Driver { get; set; }

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

    /// <summary>The shape and dtype slot <paramref name="index"/> holds when filled; by default the parameter's own.</summary>
    /// <param name="index">Slot number.</param>
    protected virtual (long[] Shape, ScalarType Type) SlotFormat(int index) => (_parameter.shape, _parameter.dtype);

    /// <summary>
    /// Numbers that fix the slots' count and shapes besides the parameter's shape (Shampoo: its block
    /// layout); saved with the state and compared on load. Empty by default.
    /// </summary>
    protected virtual IReadOnlyList<long> Layout => Array.Empty<long>();

    /// <summary>Why a state saved with <paramref name="saved"/> as its <see cref="Layout"/> cannot be loaded into this one.</summary>
    /// <param name="saved">The saved layout.</param>
    /// <param name="savedOptions">The saved hyperparameters of this parameter's group.</param>
    /// <param name="options">This optimizer's hyperparameters for the group.</param>
    protected virtual string LayoutMismatch(IReadOnlyList<long> saved, HyperparameterOptions savedOptions, HyperparameterOptions options) =>
        $"its saved layout ({string.Join(", ", saved)}) differs from this optimizer's ({string.Join(", ", Layout)})";

    /// <summary>
    /// Writes this state alone when no optimizer drives the save (an optimizer writes all its states
    /// at once, see <see cref="HyperparameterOptions.SaveStateDict"/>).
    /// </summary>
    /// <param name="writer">The stream.</param>
    public sealed override void SaveStateDict(BinaryWriter writer)
    {
        if (Driver is null) Write(writer);
    }

    /// <summary>Reads what <see cref="SaveStateDict"/> wrote; changes nothing unless all of it fits this state.</summary>
    /// <param name="reader">The stream.</param>
    public sealed override void LoadStateDict(BinaryReader reader)
    {
        if (Driver is not null) return;
        var staged = ReadStaged(reader, "this parameter", null, null);
        Adopt(staged!);
    }

    /// <summary>The parameter's shape and dtype, the layout, the step and counters, then every slot.</summary>
    internal void Write(BinaryWriter writer)
    {
        TensorEncoding.WriteShape(writer, _parameter.shape);
        writer.Write((int)_parameter.dtype);
        TensorEncoding.WriteLongs(writer, Layout);
        writer.Write(step);
        TensorEncoding.WriteLongs(writer, _counters);
        writer.Write(_slots.Length);
        foreach (var slot in _slots) TensorEncoding.WriteOptional(writer, slot);
    }

    /// <summary>
    /// Reads a state written by <see cref="Write"/> into a new, unattached copy of this state, checking
    /// the parameter's shape and dtype, the layout and every slot's shape and dtype first. Returns null,
    /// having read past the state, when the parameter differs: <paramref name="problems"/> gets why.
    /// </summary>
    /// <param name="reader">The stream, at the state.</param>
    /// <param name="label">The parameter as messages name it.</param>
    /// <param name="options">Saved and current hyperparameters of the parameter's group, when known.</param>
    /// <param name="problems">Where a differing parameter is reported; null to throw instead.</param>
    internal ParameterState? ReadStaged(BinaryReader reader, string label, (HyperparameterOptions Saved, HyperparameterOptions Current)? options, List<string>? problems)
    {
        var shape = TensorEncoding.ReadShape(reader);
        var dtype = (ScalarType)reader.ReadInt32();
        var layout = TensorEncoding.ReadLongs(reader);
        string? problem = null;
        if (!shape.SequenceEqual(_parameter.shape) || dtype != _parameter.dtype)
            problem = $"parameter {label} ({_parameter.dtype}): the state was saved for shape {TensorEncoding.Show(shape)} ({dtype})";
        else if (!layout.SequenceEqual(Layout))
            problem = $"parameter {label}: " + (options is { } o ? LayoutMismatch(layout, o.Saved, o.Current) : $"its saved layout ({string.Join(", ", layout)}) differs from this state's ({string.Join(", ", Layout)})");
        if (problem is not null)
        {
            if (problems is null) throw new InvalidDataException(problem);
            problems.Add(problem);
            SkipBody(reader);
            return null;
        }

        var staged = (ParameterState)MemberwiseClone();
        staged._slots = new Tensor?[_slots.Length];
        staged._counters = new long[_counters.Length];
        try
        {
            staged.step = reader.ReadInt64();
            var counters = TensorEncoding.ReadLongs(reader);
            int slots = reader.ReadInt32();
            if (counters.Length != _counters.Length || slots < _slotsInOlderStates || slots > _slots.Length)
                throw new InvalidDataException($"parameter {label}: the state holds {counters.Length} counters and {slots} tensors; this optimizer keeps {_counters.Length} and {_slots.Length}.");
            counters.CopyTo(staged._counters, 0);
            for (int i = 0; i < slots; i++)
            {
                var (expectedShape, expectedType) = SlotFormat(i);
                staged._slots[i] = TensorEncoding.ReadOptional(reader, expectedShape, expectedType, $"tensor {i} of the state of parameter {label}");
            }
            return staged;
        }
        catch
        {
            staged.DisposeSlots();
            throw;
        }
    }

    /// <summary>Reads past the counters and slots of a state that will not be loaded.</summary>
    private static void SkipBody(BinaryReader reader)
    {
        reader.ReadInt64();
        TensorEncoding.ReadLongs(reader);
        int slots = reader.ReadInt32();
        for (int i = 0; i < slots; i++) TensorEncoding.SkipOptional(reader);
    }

    /// <summary>Takes over the step, counters and tensors of <paramref name="staged"/> (a copy made by <see cref="ReadStaged"/>).</summary>
    internal void Adopt(ParameterState staged)
    {
        step = staged.step;
        staged._counters.CopyTo(_counters, 0);
        for (int i = 0; i < _slots.Length; i++)
        {
            var tensor = staged._slots[i];
            if (tensor is not null && (tensor.device_type != _parameter.device_type || tensor.device_index != _parameter.device_index))
            {
                var moved = tensor.to(_parameter.device);
                tensor.Dispose();
                tensor = moved;
            }
            SetSlot(i, tensor);
        }
    }

    /// <summary>Why <paramref name="source"/> cannot be copied into this state, or null when it can.</summary>
    internal string? Incompatibility(OptimizerState? source)
    {
        if (source is not ParameterState other || other.GetType() != GetType() || other._slots.Length != _slots.Length)
            return $"it is a {source?.GetType().FullName ?? "null"}, not a {GetType().FullName}";
        if (!other._parameter.shape.SequenceEqual(_parameter.shape) || other._parameter.dtype != _parameter.dtype)
            return $"it belongs to a parameter with shape {TensorEncoding.Show(other._parameter.shape)} ({other._parameter.dtype}), not {TensorEncoding.Show(_parameter.shape)} ({_parameter.dtype})";
        return other.Layout.SequenceEqual(Layout) ? null : $"its layout ({string.Join(", ", other.Layout)}) differs from this state's ({string.Join(", ", Layout)})";
    }

    /// <inheritdoc />
    public override void LoadStateDict(OptimizerState source)
    {
        if (Incompatibility(source) is { } problem)
            throw new ArgumentException($"Cannot load this state: {problem}.", nameof(source));
        var other = (ParameterState)source;
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
        DisposeSlots();
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
        DisposeSlots();
        GC.SuppressFinalize(this);
    }

    private void DisposeSlots()
    {
        for (int i = 0; i < _slots.Length; i++) SetSlot(i, null);
    }
}
