using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

public abstract partial class Optim
{
    /// <summary>Muon: momentum orthogonalized by Newton–Schulz. See <see cref="Optimizers.Muon"/>.</summary>
    /// <typeparam name="T"><see cref="Parameter"/>, <c>(string name, Parameter parameter)</c> or <see cref="Optimizers.Muon.ParamGroup"/>.</typeparam>
    /// <param name="parameters">Matrix (or conv filter) parameters — <c>parameters()</c>, <c>named_parameters()</c> or groups; vectors are refused.</param>
    /// <param name="lr">Learning rate (default 0.02, Jordan et al. 2024).</param>
    /// <param name="momentum">Momentum β in [0, 1) (default 0.95).</param>
    /// <param name="nesterov">Nesterov look-ahead (default true).</param>
    /// <param name="weight_decay">Decoupled weight decay (default 0).</param>
    /// <param name="ns_steps">Newton–Schulz steps (default 5).</param>
    /// <param name="adjust_lr">Shape scaling of the update (default Original).</param>
    /// <param name="ns_dtype">Dtype of the Newton–Schulz iteration (default BFloat16).</param>
    /// <param name="ns_method">Jordan's quintic (default) or the Polar Express schedule.</param>
    /// <param name="cautious_wd">Cautious weight decay: decay only where the update and the parameter agree in sign (default false; Chen et al. 2025).</param>
    /// <param name="normuon">NorMuon: normalize each row of the orthogonalized update by its running RMS, keeping its norm (default false; Li et al. 2025).</param>
    /// <param name="normuon_beta2">β2 in [0, 1) of NorMuon's per-row second moment (default 0.95).</param>
    /// <param name="polar_express_lower_bound">With Polar Express: ℓ in (0, 1), the smallest normalized singular value its polynomials are computed for (default 1e-3, the published table).</param>
    /// <param name="layouts">Parameters read as other matrices than [out, in·kh·kw] — fused qkv split, per head, expert stacks — by name or glob; needs <c>named_parameters()</c> (default: none).</param>
    public static Optimizers.Muon Muon<T>(IEnumerable<T> parameters, double lr = Optimizers.Muon.DefaultLearningRate,
        double momentum = Optimizers.Muon.DefaultMomentum, bool nesterov = Optimizers.Muon.DefaultNesterov,
        double weight_decay = Optimizers.Muon.DefaultWeightDecay, int ns_steps = Orthogonalize.DefaultSteps,
        AdjustLr adjust_lr = Optimizers.Muon.DefaultAdjustLr, ScalarType ns_dtype = Optimizers.Muon.DefaultNsDtype,
        NewtonSchulzMethod ns_method = Optimizers.Muon.DefaultNsMethod, bool cautious_wd = Optimizers.Muon.DefaultCautiousWeightDecay,
        bool normuon = Optimizers.Muon.DefaultNorMuon, double normuon_beta2 = Optimizers.Muon.DefaultNorMuonBeta2,
        double polar_express_lower_bound = Optimizers.Muon.DefaultPolarExpressLowerBound, Optimizers.MatrixLayouts? layouts = null)
    {
        var (groups, names) = GroupsOf(parameters, nameof(Muon), p => new Optimizers.Muon.ParamGroup(p));
        if (layouts is not null && names is null)
            throw new ArgumentException("Matrix layouts name parameters: pass model.named_parameters() to Optim.Muon.", nameof(layouts));
        var defaults = new Optimizers.Muon.Options
        {
            LearningRate = lr, momentum = momentum, nesterov = nesterov, weight_decay = weight_decay,
            ns_steps = ns_steps, adjust_lr = adjust_lr, ns_dtype = ns_dtype, ns_method = ns_method,
            cautious_wd = cautious_wd, normuon = normuon, normuon_beta2 = normuon_beta2, polar_express_lower_bound = polar_express_lower_bound,
        };
        return layouts is null ? new Optimizers.Muon(groups, defaults, names) : new Optimizers.Muon(groups, defaults, names!, layouts);
    }
}
