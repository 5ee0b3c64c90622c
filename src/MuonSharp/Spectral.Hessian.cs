using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

public static partial class Spectral
{
    /// <summary>
    /// The eigenvalue of largest magnitude of the loss Hessian ∇²L with respect to
    /// <paramref name="parameters"/> (taken together as one vector), by power iteration on
    /// Hessian-vector products — the sharpness of <c>001</c>'s flatness questions.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Power iteration converges to the eigenvector whose eigenvalue has the largest absolute value,
    /// so the result is signed: the Rayleigh quotient vᵀHv of the final unit vector v. At a saddle
    /// whose most negative curvature dominates, it is negative; for the largest algebraic eigenvalue
    /// of an indefinite Hessian, shift it yourself. When the top two eigenvalues have equal magnitude
    /// and opposite signs (λ and −λ), power iteration does not settle and the result lies between them.
    /// </para>
    /// <para>
    /// Each product Hv is the gradient of g·v, where g = ∇L is computed once with
    /// <c>create_graph: true</c> (double backpropagation): the Hessian is never formed. The start vector
    /// is Gaussian from a generator seeded with <paramref name="seed"/>, so the result is reproducible.
    /// Parameters are not modified and their <c>.grad</c> is not touched (<c>torch.autograd.grad</c>
    /// does not accumulate); every tensor made on the way, including the one <paramref name="loss"/>
    /// returns, is disposed.
    /// </para>
    /// </remarks>
    /// <param name="loss">Computes the scalar loss from <paramref name="parameters"/>; called once.</param>
    /// <param name="parameters">The parameters to differentiate by, each with <c>requires_grad</c>; at least one.</param>
    /// <param name="iterations">Maximum number of Hessian-vector products, at least 1.</param>
    /// <param name="tolerance">
    /// Stop when the Rayleigh quotient changes by at most <paramref name="tolerance"/> × its magnitude
    /// between two iterations; 0 runs all <paramref name="iterations"/>.
    /// </param>
    /// <param name="seed">Seed of the random start vector.</param>
    /// <returns>The signed eigenvalue of largest magnitude; 0 when the Hessian is zero.</returns>
    /// <exception cref="ArgumentException">
    /// An empty parameter list, a parameter without <c>requires_grad</c>, or a loss that is not a
    /// floating-point scalar computed from the parameters.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> &lt; 1, or a negative or non-finite <paramref name="tolerance"/>.</exception>
    public static double HessianTopEigenvalue(Func<Tensor> loss, IReadOnlyList<Parameter> parameters,
        int iterations = 100, double tolerance = 1e-6, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(loss);
        RequireDifferentiableParameters(parameters);
        if (iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Power iteration needs at least 1 iteration.");
        if (!double.IsFinite(tolerance) || tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be finite and ≥ 0.");

        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        var hessian = new HessianVectorProducts(loss, parameters);
        using var generator = new Generator(unchecked((ulong)seed));

        var v = Normalize(parameters.Select(p => randn(p.shape, ScalarType.Float64, generator: generator).to(p)).ToArray());
        double eigenvalue = 0;
        for (int i = 0; i < iterations; i++)
        {
            // One product per iteration; its temporaries die here instead of piling up until the end.
            using var step = NewDisposeScope();
            var hv = hessian.Times(v);
            double rayleigh = Dot(v, hv); // vᵀHv with ‖v‖ = 1
            bool settled = i > 0 && Math.Abs(rayleigh - eigenvalue) <= tolerance * Math.Abs(rayleigh);
            eigenvalue = rayleigh;
            double norm = Math.Sqrt(Dot(hv, hv));
            if (settled || norm == 0) break; // Hv = 0: v is in the null space; for a random v, H = 0.

            using var s = new HeldScalars();
            var next = hv.Select(t => t.div(s[norm])).ToArray();
            foreach (var t in next) t.MoveToOuterDisposeScope();
            foreach (var t in v) t.Dispose();
            v = next;
        }
        return eigenvalue;
    }

    /// <summary>
    /// Hutchinson's estimate of the trace of the loss Hessian ∇²L with respect to
    /// <paramref name="parameters"/>: the mean of vᵀHv over Rademacher vectors v (entries ±1 with
    /// equal probability), an unbiased estimator since E[vvᵀ] = I.
    /// </summary>
    /// <remarks>
    /// One sample has variance 2Σ_(i≠j) H²ᵢⱼ: it is exact for a diagonal Hessian (vᵢ² = 1) and
    /// noisy in proportion to the off-diagonal mass. Vectors come from a generator seeded with
    /// <paramref name="seed"/>. Parameters and their <c>.grad</c> are left untouched, and every
    /// tensor made on the way, including the one <paramref name="loss"/> returns, is disposed.
    /// </remarks>
    /// <param name="loss">Computes the scalar loss from <paramref name="parameters"/>; called once.</param>
    /// <param name="parameters">The parameters to differentiate by, each with <c>requires_grad</c>; at least one.</param>
    /// <param name="samples">Number of Rademacher vectors, at least 1.</param>
    /// <param name="seed">Seed of the Rademacher vectors.</param>
    /// <returns>The estimate of tr ∇²L.</returns>
    /// <exception cref="ArgumentException">
    /// An empty parameter list, a parameter without <c>requires_grad</c>, or a loss that is not a
    /// floating-point scalar computed from the parameters.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> &lt; 1.</exception>
    public static double HessianTraceHutchinson(Func<Tensor> loss, IReadOnlyList<Parameter> parameters,
        int samples = 100, long seed = 0)
    {
        double sum = 0;
        foreach (double value in HessianTraceHutchinsonSamples(loss, parameters, samples, seed)) sum += value;   // in order, as the samples were drawn
        return sum / samples;
    }

    /// <summary>
    /// The individual samples vᵀHv of <see cref="HessianTraceHutchinson"/>, one per Rademacher vector, in
    /// order: their mean is the estimate of tr ∇²L, and their standard deviation over √<paramref name="samples"/>
    /// its standard error. The same vectors and products as <see cref="HessianTraceHutchinson"/> with the same seed.
    /// </summary>
    /// <param name="loss">Computes the scalar loss from <paramref name="parameters"/>; called once.</param>
    /// <param name="parameters">The parameters to differentiate by, each with <c>requires_grad</c>; at least one.</param>
    /// <param name="samples">Number of Rademacher vectors, at least 1.</param>
    /// <param name="seed">Seed of the Rademacher vectors.</param>
    /// <returns>vᵀHv for each vector v.</returns>
    /// <exception cref="ArgumentException">
    /// An empty parameter list, a parameter without <c>requires_grad</c>, or a loss that is not a
    /// floating-point scalar computed from the parameters.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> &lt; 1.</exception>
    public static double[] HessianTraceHutchinsonSamples(Func<Tensor> loss, IReadOnlyList<Parameter> parameters,
        int samples = 100, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(loss);
        RequireDifferentiableParameters(parameters);
        if (samples < 1)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "Hutchinson's estimator needs at least 1 sample.");

        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        var hessian = new HessianVectorProducts(loss, parameters);
        using var generator = new Generator(unchecked((ulong)seed));

        var values = new double[samples];
        using var held = new HeldScalars();
        var (two, one) = (held[2], held[1]);
        for (int s = 0; s < samples; s++)
        {
            using var step = NewDisposeScope();
            var v = parameters
                .Select(p => randint(0, 2, p.shape, ScalarType.Float64, generator: generator).mul_(two).sub_(one).to(p))   // ±1
                .ToArray();
            values[s] = Dot(v, hessian.Times(v));
        }
        return values;
    }

    /// <summary>
    /// Hessian-vector products of one loss by double backpropagation. Holds the gradient g = ∇L with
    /// its graph; tensors it makes belong to the caller's dispose scope.
    /// </summary>
    /// <remarks>
    /// TorchSharp's <c>autograd.grad</c> does not turn libtorch errors into exceptions: an output
    /// that does not require grad, a non-scalar output or a freed graph aborts the process. So every
    /// precondition is checked here first, unused parameters are allowed (their gradient comes back
    /// undefined and counts as zero), and the graph is always retained (the scope frees it).
    /// </remarks>
    private sealed class HessianVectorProducts
    {
        private readonly IReadOnlyList<Parameter> _parameters;

        // ∇L per parameter with its graph; null where L does not depend on the parameter at all.
        private readonly Tensor?[] _gradient;

        // True when some gradient still depends on the parameters, i.e. the Hessian can be nonzero.
        private readonly bool _curved;

        public HessianVectorProducts(Func<Tensor> loss, IReadOnlyList<Parameter> parameters)
        {
            _parameters = parameters;
            var value = loss() ?? throw new ArgumentException("loss() returned null; it must return the scalar loss tensor.", nameof(loss));
            if (value.numel() != 1)
                throw new ArgumentException($"loss() must return a scalar (one element); got shape [{string.Join(", ", value.shape)}].", nameof(loss));
            if (!value.is_floating_point())
                throw new ArgumentException($"loss() must return a floating-point tensor; got {value.dtype}.", nameof(loss));
            if (!value.requires_grad)
                throw new ArgumentException(
                    "loss() returned a tensor that does not require grad: compute it from the parameters, without detach().", nameof(loss));

            // retain_graph: second derivatives may reach back into the forward graph (saved activations).
            var gradient = autograd.grad([value], [.. parameters], retain_graph: true, create_graph: true, allow_unused: true);
            _gradient = gradient.Select(g => g.IsInvalid ? null : g).ToArray();
            _curved = _gradient.Any(g => g is { requires_grad: true });
        }

        /// <summary>Hv, one tensor per parameter (shaped like it), for <paramref name="v"/> given the same way.</summary>
        public Tensor[] Times(IReadOnlyList<Tensor> v)
        {
            if (!_curved) return _parameters.Select(p => zeros_like(p)).ToArray();

            // Gradients that do not require grad are constant in the parameters: no Hessian term.
            var terms = _gradient
                .Select((g, i) => g is { requires_grad: true } ? (g * v[i]).sum() : null)
                .OfType<Tensor>()
                .ToArray();

            var gv = terms.Length == 1 ? terms[0] : stack(terms).sum(); // g·v, a scalar that requires grad
            var hv = autograd.grad([gv], [.. _parameters], retain_graph: true, allow_unused: true);
            return hv.Select((t, i) => t.IsInvalid ? zeros_like(_parameters[i]) : t).ToArray();
        }
    }

    private static void RequireDifferentiableParameters(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0)
            throw new ArgumentException("The parameter list is empty; give at least one parameter to differentiate by.", nameof(parameters));
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i] ?? throw new ArgumentException($"parameters[{i}] is null.", nameof(parameters));
            if (!p.requires_grad)
                throw new ArgumentException(
                    $"parameters[{i}] (shape [{string.Join(", ", p.shape)}]) does not require grad; the Hessian needs requires_grad = true on every parameter.",
                    nameof(parameters));
        }
    }

    /// <summary>Σᵢ ⟨xᵢ, yᵢ⟩ over a list of same-shaped tensor pairs, in float64.</summary>
    private static double Dot(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y)
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        for (int i = 0; i < x.Count; i++)
            sum += (x[i].to(ScalarType.Float64) * y[i].to(ScalarType.Float64)).sum().item<double>();
        return sum;
    }

    /// <summary>x / ‖x‖ over the concatenation of the tensors in <paramref name="x"/>; zero stays zero.</summary>
    private static Tensor[] Normalize(IReadOnlyList<Tensor> x)
    {
        double norm = Math.Sqrt(Dot(x, x));
        using var s = new HeldScalars();
        return x.Select(t => norm == 0 ? t.clone() : t.div(s[norm])).ToArray();
    }
}
