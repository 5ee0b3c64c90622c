using TorchSharp;

namespace MuonSharp;

/// <summary>
/// Keeps the <see cref="Scalar"/>s a computation passes to tensor operations alive until it is
/// disposed. TorchSharp 0.107 hands a temporary Scalar's native handle to libtorch without keeping the
/// Scalar reachable, so a garbage collection during the call can finalize it and libtorch reads freed
/// memory (random "Unknown scalar type" failures). Write <c>t.mul_(s[beta])</c> instead of
/// <c>t.mul_(beta)</c>, inside <c>using var s = new HeldScalars();</c>. Custom optimizers on
/// <see cref="Optimizers.ManagedOptimizer{TOptions, TState}"/> face the same pitfall, so this is public.
/// </summary>
/// <remarks>
/// TorchSharp's own overloads that leave a coefficient out create one inside TorchSharp:
/// <c>add</c>/<c>add_</c> without <c>alpha</c> (also <c>tensor + tensor</c>), <c>addcdiv</c> without
/// <c>value</c>, <c>square()</c>, and every tensor operator with a number operand (<c>t * 0.5</c>).
/// Pass the coefficient explicitly instead: <c>a.add_(b, s[1])</c>, <c>t.pow(s[2])</c> — the same
/// operations TorchSharp runs, so the numbers do not change.
/// </remarks>
public sealed class HeldScalars : IDisposable
{
    private readonly List<Scalar> _held = new();

    /// <summary>A Scalar holding <paramref name="value"/>, alive until this object is disposed.</summary>
    /// <param name="value">The number.</param>
    public Scalar this[double value] => Hold(value.ToScalar());

    /// <summary>A float Scalar holding <paramref name="value"/>, alive until this object is disposed.</summary>
    /// <param name="value">The number.</param>
    public Scalar this[float value] => Hold(value.ToScalar());

    /// <summary>An integer Scalar (as TorchSharp's implicit conversion of an <c>int</c> makes), alive until this object is disposed.</summary>
    /// <param name="value">The number.</param>
    public Scalar this[int value] => Hold(value.ToScalar());

    /// <summary>A 64-bit integer Scalar, alive until this object is disposed.</summary>
    /// <param name="value">The number.</param>
    public Scalar this[long value] => Hold(value.ToScalar());

    /// <summary>Disposes every Scalar handed out.</summary>
    public void Dispose()
    {
        foreach (var scalar in _held) scalar.Dispose();
        _held.Clear();
    }

    private Scalar Hold(Scalar scalar)
    {
        _held.Add(scalar);
        return scalar;
    }
}
