using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// Factory methods for MuonSharp's optimizers, named and parameterized like
/// <c>torch.optim</c>: <c>Optim.Muon(model.parameters(), lr: 0.02)</c> reads like
/// <c>torch.optim.AdamW(model.parameters(), lr: 1e-3)</c>. Each optimizer accepts a plain
/// parameter list, named parameters (used in error messages) or its own parameter groups.
/// </summary>
public static partial class Optim
{
    /// <summary>How Muon scales the orthogonalized update by the matrix shape.</summary>
    public enum AdjustLr
    {
        /// <summary>s = √max(1, rows/cols) (Jordan et al. 2024).</summary>
        Original,
        /// <summary>s = 0.2·√max(rows, cols): the update's RMS matches AdamW's, so AdamW's lr and wd transfer (Moonlight, Liu et al. 2025).</summary>
        MatchRmsAdamW,
    }

    /// <summary>Which polynomials Muon's Newton–Schulz iteration uses.</summary>
    public enum NewtonSchulzMethod
    {
        /// <summary>(3.4445, −4.7750, 2.0315) at every step (Jordan et al. 2024).</summary>
        JordanQuintic,
        /// <summary>
        /// The per-step minimax schedule of Amsel et al. (2025) with its 1.01 safety factor. Its early
        /// polynomials map singular values into about [0, 2] by design and later ones fold them back;
        /// in bfloat16 we measured rare blow-ups on small matrices (a value rounded past the interval the
        /// next polynomial was built for, e.g. a 4×6 matrix reaching σ = 5.5 after 5 steps), so prefer
        /// <c>ns_dtype: Float32</c> with it.
        /// </summary>
        PolarExpress,
    }

    /// <summary>Step size rule of Spectral GD.</summary>
    public enum SpectralScale
    {
        /// <summary>W ← W − lr·UVᵀ.</summary>
        None,
        /// <summary>W ← W − lr·‖G‖_*·UVᵀ (<c>004 §10.1</c>).</summary>
        Nuclear,
    }

    // ---- Muon -------------------------------------------------------------------------------

    /// <summary>Muon: momentum orthogonalized by Newton–Schulz. See <see cref="Optimizers.Muon"/>.</summary>
    /// <param name="parameters">Matrix (or conv filter) parameters; vectors are refused.</param>
    /// <param name="lr">Learning rate (default 0.02, Jordan et al. 2024).</param>
    /// <param name="momentum">Momentum β in [0, 1) (default 0.95).</param>
    /// <param name="nesterov">Nesterov look-ahead (default true).</param>
    /// <param name="weight_decay">Decoupled weight decay (default 0).</param>
    /// <param name="ns_steps">Newton–Schulz steps (default 5).</param>
    /// <param name="adjust_lr">Shape scaling of the update (default Original).</param>
    /// <param name="ns_dtype">Dtype of the Newton–Schulz iteration (default BFloat16).</param>
    /// <param name="ns_method">Jordan's quintic (default) or the Polar Express schedule.</param>
    public static Optimizers.Muon Muon(IEnumerable<Parameter> parameters, double lr = 0.02, double momentum = 0.95,
        bool nesterov = true, double weight_decay = 0, int ns_steps = Orthogonalize.DefaultSteps,
        AdjustLr adjust_lr = AdjustLr.Original, ScalarType ns_dtype = ScalarType.BFloat16,
        NewtonSchulzMethod ns_method = NewtonSchulzMethod.JordanQuintic) =>
        Muon(new[] { new Optimizers.Muon.ParamGroup(parameters) }, lr, momentum, nesterov, weight_decay, ns_steps, adjust_lr, ns_dtype, ns_method);

    /// <summary>Muon over named parameters (names appear in error messages).</summary>
    /// <inheritdoc cref="Muon(IEnumerable{Parameter}, double, double, bool, double, int, AdjustLr, ScalarType, NewtonSchulzMethod)"/>
    public static Optimizers.Muon Muon(IEnumerable<(string name, Parameter parameter)> parameters, double lr = 0.02, double momentum = 0.95,
        bool nesterov = true, double weight_decay = 0, int ns_steps = Orthogonalize.DefaultSteps,
        AdjustLr adjust_lr = AdjustLr.Original, ScalarType ns_dtype = ScalarType.BFloat16,
        NewtonSchulzMethod ns_method = NewtonSchulzMethod.JordanQuintic)
    {
        var (list, names) = Named(parameters);
        return new Optimizers.Muon(new[] { new Optimizers.Muon.ParamGroup(list) },
            MuonDefaults(lr, momentum, nesterov, weight_decay, ns_steps, adjust_lr, ns_dtype, ns_method), names);
    }

    /// <summary>Muon over parameter groups; options a group leaves null come from these arguments.</summary>
    /// <inheritdoc cref="Muon(IEnumerable{Parameter}, double, double, bool, double, int, AdjustLr, ScalarType, NewtonSchulzMethod)"/>
    public static Optimizers.Muon Muon(IEnumerable<Optimizers.Muon.ParamGroup> parameters, double lr = 0.02, double momentum = 0.95,
        bool nesterov = true, double weight_decay = 0, int ns_steps = Orthogonalize.DefaultSteps,
        AdjustLr adjust_lr = AdjustLr.Original, ScalarType ns_dtype = ScalarType.BFloat16,
        NewtonSchulzMethod ns_method = NewtonSchulzMethod.JordanQuintic) =>
        new(parameters, MuonDefaults(lr, momentum, nesterov, weight_decay, ns_steps, adjust_lr, ns_dtype, ns_method));

    private static Optimizers.Muon.Options MuonDefaults(double lr, double momentum, bool nesterov, double weight_decay,
        int ns_steps, AdjustLr adjust_lr, ScalarType ns_dtype, NewtonSchulzMethod ns_method = NewtonSchulzMethod.JordanQuintic) => new()
        {
            LearningRate = lr, momentum = momentum, nesterov = nesterov, weight_decay = weight_decay,
            ns_steps = ns_steps, adjust_lr = adjust_lr, ns_dtype = ns_dtype, ns_method = ns_method,
        };

    // ---- Spectral GD --------------------------------------------------------------------------

    /// <summary>Spectral GD: the exact polar update. See <see cref="Optimizers.SpectralGD"/>.</summary>
    /// <param name="parameters">Matrix (or conv filter) parameters; vectors are refused.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Heavy-ball momentum β in [0, 1) (default 0).</param>
    /// <param name="scale">Step size rule (default None).</param>
    public static SpectralGD SpectralGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, SpectralScale scale = SpectralScale.None) =>
        SpectralGD(new[] { new SpectralGD.ParamGroup(parameters) }, lr, momentum, scale);

    /// <summary>Spectral GD over named parameters (names appear in error messages).</summary>
    /// <inheritdoc cref="SpectralGD(IEnumerable{Parameter}, double, double, SpectralScale)"/>
    public static SpectralGD SpectralGD(IEnumerable<(string name, Parameter parameter)> parameters, double lr, double momentum = 0, SpectralScale scale = SpectralScale.None)
    {
        var (list, names) = Named(parameters);
        return new Optimizers.SpectralGD(new[] { new SpectralGD.ParamGroup(list) }, SpectralDefaults(lr, momentum, scale), names);
    }

    /// <summary>Spectral GD over parameter groups.</summary>
    /// <inheritdoc cref="SpectralGD(IEnumerable{Parameter}, double, double, SpectralScale)"/>
    public static SpectralGD SpectralGD(IEnumerable<SpectralGD.ParamGroup> parameters, double lr, double momentum = 0, SpectralScale scale = SpectralScale.None) =>
        new(parameters, SpectralDefaults(lr, momentum, scale));

    private static SpectralGD.Options SpectralDefaults(double lr, double momentum, SpectralScale scale) =>
        new() { LearningRate = lr, momentum = momentum, scale = scale };

    // ---- Norm-matched GD ----------------------------------------------------------------------

    /// <summary>Gradient step rescaled to the Frobenius norm of its polar factor (<c>002</c>'s control). See <see cref="Optimizers.NormMatchedGD"/>.</summary>
    /// <param name="parameters">Matrix (or conv filter) parameters; vectors are refused.</param>
    /// <param name="lr">Learning rate.</param>
    public static NormMatchedGD NormMatchedGD(IEnumerable<Parameter> parameters, double lr) =>
        NormMatchedGD(new[] { new ParamGroup<NormMatchedGD.Options>(parameters, new NormMatchedGD.Options()) }, lr);

    /// <summary>Norm-matched GD over named parameters (names appear in error messages).</summary>
    /// <inheritdoc cref="NormMatchedGD(IEnumerable{Parameter}, double)"/>
    public static NormMatchedGD NormMatchedGD(IEnumerable<(string name, Parameter parameter)> parameters, double lr)
    {
        var (list, names) = Named(parameters);
        return new Optimizers.NormMatchedGD(new[] { new ParamGroup<NormMatchedGD.Options>(list, new NormMatchedGD.Options()) },
            new NormMatchedGD.Options { LearningRate = lr }, names);
    }

    /// <summary>Norm-matched GD over parameter groups.</summary>
    /// <inheritdoc cref="NormMatchedGD(IEnumerable{Parameter}, double)"/>
    public static NormMatchedGD NormMatchedGD(IEnumerable<ParamGroup<NormMatchedGD.Options>> parameters, double lr) =>
        new(parameters, new NormMatchedGD.Options { LearningRate = lr });

    // ---- helpers ------------------------------------------------------------------------------

    internal static (List<Parameter> parameters, Dictionary<IntPtr, string> names) Named(IEnumerable<(string name, Parameter parameter)> named)
    {
        ArgumentNullException.ThrowIfNull(named);
        var list = new List<Parameter>();
        var names = new Dictionary<IntPtr, string>();
        foreach (var (name, parameter) in named)
        {
            list.Add(parameter);
            names.TryAdd(parameter.Handle, name);
        }
        return (list, names);
    }
}
