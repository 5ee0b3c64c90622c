using MuonSharp.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

public abstract partial class Optim
{
    /// <summary>
    /// Muon for hidden matrices and conv filters, AdamW for embeddings, output head, first conv layer,
    /// biases and norm gains. See <see cref="Optimizers.MuonWithAuxAdamW"/> and <see cref="ParameterRouting"/>.
    /// Every Muon hyperparameter of <see cref="Muon{T}"/> is here too, with the same name and default.
    /// </summary>
    /// <param name="parameters">The model's <c>named_parameters()</c> (names drive the routing).</param>
    /// <param name="lr">Muon's learning rate (default 0.02).</param>
    /// <param name="momentum">Muon's momentum (default 0.95).</param>
    /// <param name="weight_decay">Muon's decoupled weight decay (default 0).</param>
    /// <param name="adamw_lr">AdamW's learning rate (default 3e-4).</param>
    /// <param name="adamw_betas">AdamW's (β1, β2) (default (0.9, 0.95)).</param>
    /// <param name="adamw_eps">AdamW's eps (default 1e-10).</param>
    /// <param name="adamw_weight_decay">AdamW's decoupled weight decay (default 0).</param>
    /// <param name="routing">Who goes where; <see cref="ParameterRouting.Default"/> when null.</param>
    /// <param name="nesterov">Muon's Nesterov look-ahead (default true).</param>
    /// <param name="ns_steps">Muon's Newton–Schulz steps (default 5).</param>
    /// <param name="adjust_lr">Muon's shape scaling (default Original).</param>
    /// <param name="ns_dtype">Muon's Newton–Schulz dtype (default BFloat16).</param>
    /// <param name="ns_method">Muon's polynomials: Jordan's quintic (default) or the Polar Express schedule.</param>
    /// <param name="cautious_wd">Muon's cautious weight decay (default false; Chen et al. 2025).</param>
    /// <param name="normuon">NorMuon's row normalization of Muon's update (default false; Li et al. 2025).</param>
    /// <param name="normuon_beta2">β2 of NorMuon's per-row second moment (default 0.95).</param>
    /// <param name="adamw_cautious_wd">AdamW's cautious weight decay (default false).</param>
    /// <param name="polar_express_lower_bound">With Polar Express: ℓ in (0, 1) its polynomials are computed for (default 1e-3, the published table).</param>
    /// <param name="layouts">Muon parameters read as other matrices than [out, in·kh·kw] (fused qkv, heads, expert stacks), by name or glob; shown in the routing table.</param>
    public static MuonWithAuxAdamW MuonWithAuxAdamW(IEnumerable<(string name, Parameter parameter)> parameters,
        double lr = Optimizers.Muon.DefaultLearningRate, double momentum = Optimizers.Muon.DefaultMomentum,
        double weight_decay = Optimizers.Muon.DefaultWeightDecay,
        double adamw_lr = AuxAdamW.DefaultLearningRate, (double beta1, double beta2)? adamw_betas = null,
        double adamw_eps = AuxAdamW.DefaultEps, double adamw_weight_decay = AuxAdamW.DefaultWeightDecay,
        ParameterRouting? routing = null, bool nesterov = Optimizers.Muon.DefaultNesterov, int ns_steps = Orthogonalize.DefaultSteps,
        AdjustLr adjust_lr = Optimizers.Muon.DefaultAdjustLr, ScalarType ns_dtype = Optimizers.Muon.DefaultNsDtype,
        NewtonSchulzMethod ns_method = Optimizers.Muon.DefaultNsMethod, bool cautious_wd = Optimizers.Muon.DefaultCautiousWeightDecay,
        bool normuon = Optimizers.Muon.DefaultNorMuon, double normuon_beta2 = Optimizers.Muon.DefaultNorMuonBeta2,
        bool adamw_cautious_wd = AuxAdamW.DefaultCautiousWeightDecay, double polar_express_lower_bound = Optimizers.Muon.DefaultPolarExpressLowerBound,
        MatrixLayouts? layouts = null)
    {
        var (beta1, beta2) = adamw_betas ?? (AuxAdamW.DefaultBeta1, AuxAdamW.DefaultBeta2);
        return new Optimizers.MuonWithAuxAdamW(parameters,
            new Optimizers.Muon.Options
            {
                LearningRate = lr, momentum = momentum, nesterov = nesterov, weight_decay = weight_decay,
                ns_steps = ns_steps, adjust_lr = adjust_lr, ns_dtype = ns_dtype, ns_method = ns_method,
                cautious_wd = cautious_wd, normuon = normuon, normuon_beta2 = normuon_beta2, polar_express_lower_bound = polar_express_lower_bound,
            },
            new AuxAdamW.Options
            {
                LearningRate = adamw_lr, beta1 = beta1, beta2 = beta2, eps = adamw_eps, weight_decay = adamw_weight_decay, cautious_wd = adamw_cautious_wd,
            },
            routing, layouts);
    }
}
