using MuonSharp.Optimizers;
using static TorchSharp.torch;

namespace MuonSharp;

public sealed partial class SpectralMonitor
{
    /// <summary>
    /// ‖NS(M) − Polar(M)‖_F / ‖Polar(M)‖_F for the momentum M of one Muon layer drawn from the monitor's
    /// sampler, with that layer's <c>ns_steps</c>, <c>ns_dtype</c> and <c>ns_method</c>: whether the
    /// Newton–Schulz settings suffice. Nothing is recorded without a Muon optimizer or before its first step.
    /// </summary>
    private void RecordNewtonSchulzError(long step)
    {
        var muon = _optimizer switch
        {
            Muon alone => alone,
            MuonWithAuxAdamW hybrid => hybrid.MuonPart,
            _ => null,
        };
        if (muon is null) return;

        var candidates = new List<(SpectralMonitorLayer Layer, Tensor Momentum, Muon.Options Options)>();
        foreach (var group in muon.ParamGroups.Cast<TorchSharp.Modules.ParamGroup<Muon.Options>>())
        {
            var options = group.Options;
            foreach (var parameter in group.Parameters)
            {
                var layer = _layers.FirstOrDefault(l => l.Weight.Handle == parameter.Handle);
                if (layer is not null && muon.StateOf(parameter).momentum_buffer is { } momentum)
                    candidates.Add((layer, momentum, options));
            }
        }
        if (candidates.Count == 0) return;

        var (sampled, buffer, settings) = candidates[_sampler.Next(candidates.Count)];
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var m = buffer.detach().reshape(buffer.shape[0], -1).to(ScalarType.Float64);   // [out, in·kh·kw]
        int steps = settings.ns_steps!.Value;
        var dtype = settings.ns_dtype!.Value;
        var approximate = settings.ns_method == OptimizerChoices.NewtonSchulzMethod.PolarExpress
            ? Orthogonalize.NewtonSchulz(m, Optimizers.Muon.PolarExpressSchedule(steps, settings.polar_express_lower_bound!.Value), dtype,
                Orthogonalize.DefaultEpsilon, Orthogonalize.PolarExpressSafety)
            : Orthogonalize.NewtonSchulz(m, steps, Orthogonalize.JordanQuintic, dtype);
        var exact = PolarViaGram(m);
        double exactNorm = exact.norm().item<double>();
        if (exactNorm == 0) return;   // zero momentum: both are zero, there is no error to speak of
        Add(step, sampled.Name, SpectralMetrics.NsOrthogonalityError, approximate.add(exact, s[-1]).norm().item<double>() / exactNorm);
    }

    /// <summary>
    /// The exact polar factor of a float64 matrix from its smaller Gram: for a wide M, S = MMᵀ = UΣ²Uᵀ
    /// (m×m, m the short side) and Polar(M) = S^{-1/2}M = UVᵀ; for a tall M, M(MᵀM)^{-1/2}. For fc1's
    /// [128, 9216] momentum this is one GEMM and a 128×128 eigendecomposition instead of a full SVD
    /// (measured about 10× faster). Rank tolerance: the one <see cref="Spectral.SingularValuesViaGram"/>
    /// uses — eigenvalues λ ≤ rtol·λ_max count as zero, with rtol = <see cref="Orthogonalize.DefaultPolarTolerance(long, long)"/>
    /// — because the Gram's own rounding error is about that size. On singular values this cut is at
    /// √rtol·σ_max, coarser than <see cref="Orthogonalize.Polar"/>'s rtol·σ_max: directions with
    /// σ/σ_max between the two (below about 1e-6 for fc1) are dropped here and kept there. The kept
    /// directions lose accuracy like ε·κ²: about 1e-4 relatively at κ = 1e6, far below the
    /// Newton–Schulz errors this measures.
    /// </summary>
    /// <param name="m">A float64 matrix.</param>
    /// <returns>A new <c>[rows, cols]</c> float64 tensor.</returns>
    internal static Tensor PolarViaGram(Tensor m)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var gram = Spectral.SmallerGram(m);                           // [k, k], k = min(rows, cols)
        bool wide = m.shape[0] < m.shape[1];                          // SmallerGram takes MᵀM for a square M
        var (eigenvalues, eigenvectors) = linalg.eigh(gram);            // ascending
        double cutoff = Orthogonalize.DefaultPolarTolerance(m.shape[0], m.shape[1]) * Math.Max(eigenvalues.max().item<double>(), 0);
        var kept = eigenvalues.gt(held[cutoff]);
        // S^{-1/2} on the kept eigenvectors, 0 on the rest (the pseudo-inverse root); strictly above the
        // cut-off, so the zero matrix maps to zero.
        var inverseRoot = eigenvalues.where(kept, ones_like(eigenvalues)).rsqrt().mul(kept.to(ScalarType.Float64));
        var root = eigenvectors.mul(inverseRoot.unsqueeze(0)).matmul(eigenvectors.t());   // [k, k]
        var polar = wide ? root.matmul(m) : m.matmul(root);
        return polar.MoveToOuterDisposeScope();
    }
}
