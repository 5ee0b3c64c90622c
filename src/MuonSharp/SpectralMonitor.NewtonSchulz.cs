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
            ? Orthogonalize.PolarExpress(m, steps, dtype)
            : Orthogonalize.NewtonSchulz(m, steps, Orthogonalize.JordanQuintic, dtype);
        var exact = Orthogonalize.Polar(m);
        double exactNorm = exact.norm().item<double>();
        if (exactNorm == 0) return;   // zero momentum: both are zero, there is no error to speak of
        Add(step, sampled.Name, SpectralMetrics.NsOrthogonalityError, approximate.add(exact, s[-1]).norm().item<double>() / exactNorm);
    }
}
