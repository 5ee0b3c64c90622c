using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace MuonSharp.Optimizers;

/// <summary>
/// The hybrid every Muon user needs: hidden matrices and conv filters go to <see cref="Optimizers.Muon"/>,
/// everything else (embeddings, output head, first conv layer, biases, norm gains) to
/// <see cref="AuxAdamW"/>, each with its own hyperparameters. Which parameter goes where is decided by a
/// <see cref="ParameterRouting"/>; <see cref="RoutingTable"/> shows the result.
/// <para>
/// It is one TorchSharp optimizer: <c>step</c>, <c>zero_grad</c>, <c>parameters</c>, state
/// save/load and learning-rate schedulers see the Muon groups first, then the AdamW groups. A
/// scheduler scales each group from its own initial learning rate, so one schedule drives both.
/// </para>
/// </summary>
public sealed class MuonWithAuxAdamW : OptimizerBase, IMomentum
{
    private readonly Muon _muon;
    private readonly AuxAdamW _adamw;

    /// <summary>Routes <paramref name="parameters"/> and builds both optimizers.</summary>
    /// <param name="parameters">The model's <c>named_parameters()</c>.</param>
    /// <param name="muon">Muon's hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="adamw">AdamW's hyperparameters; unset ones take their declared defaults. Errors name them as the factory does (<c>adamw_lr</c>, …).</param>
    /// <param name="routing">The routing rule; <see cref="ParameterRouting.Default"/> when null.</param>
    public MuonWithAuxAdamW(IEnumerable<(string name, Parameter parameter)> parameters, Muon.Options? muon = null, AuxAdamW.Options? adamw = null, ParameterRouting? routing = null)
        : this(parameters, muon, adamw, routing, layouts: null)
    {
    }

    /// <summary>Routes <paramref name="parameters"/>, builds both optimizers, and reads the Muon parameters <paramref name="layouts"/> names with their layout.</summary>
    /// <param name="parameters">The model's <c>named_parameters()</c>.</param>
    /// <param name="muon">Muon's hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="adamw">AdamW's hyperparameters; unset ones take their declared defaults.</param>
    /// <param name="routing">The routing rule; <see cref="ParameterRouting.Default"/> when null.</param>
    /// <param name="layouts">Matrix layouts of Muon parameters (fused qkv, heads, expert stacks); null: all flattened. The routing table shows them.</param>
    public MuonWithAuxAdamW(IEnumerable<(string name, Parameter parameter)> parameters, Muon.Options? muon, AuxAdamW.Options? adamw, ParameterRouting? routing, MatrixLayouts? layouts)
    {
        muon ??= new Muon.Options();
        muon.FillFrom(null);
        muon.Validate();
        adamw ??= new AuxAdamW.Options();
        adamw.FillFrom(null);
        adamw.Validate(AdamWPrefix);
        var assignments = (routing ?? ParameterRouting.Default()).Assign(parameters);
        if (assignments.Count == 0)
            throw new ArgumentException($"{nameof(MuonWithAuxAdamW)} got an empty parameter list; pass the model's named_parameters().", nameof(parameters));
        var resolved = layouts?.Resolve(assignments.Where(r => r.Route == Route.Muon).Select(r => (r.Name, r.Parameter))) ?? new Dictionary<IntPtr, MatrixLayout>();
        Assignments = assignments.Select(r => resolved.TryGetValue(r.Parameter.Handle, out var layout) ? r with { Reason = $"{r.Reason}; {layout}" } : r).ToList();

        var names = Assignments.ToDictionary(r => r.Parameter.Handle, r => r.Name);
        foreach (var routed in Assignments) SetLabel(routed.Parameter, Label(routed.Parameter, routed.Name, -1));
        var muonParameters = Assignments.Where(r => r.Route == Route.Muon).Select(r => r.Parameter).ToList();
        var adamwParameters = Assignments.Where(r => r.Route == Route.AdamW).Select(r => r.Parameter).ToList();
        _muon = new Muon(new[] { new Muon.ParamGroup(muonParameters) }, muon, names, allowEmpty: true, resolved);
        _adamw = new AuxAdamW(new[] { new AuxAdamW.ParamGroup(adamwParameters) }, adamw, names, allowEmpty: true);

        // Expose both halves' groups and states as this optimizer's own, so OptimizerHelper's
        // zero_grad, parameters, state_dict, load_state_dict and to(device) work unchanged.
        _parameter_groups = _muon.ParamGroups.Concat(_adamw.ParamGroups).Cast<TorchSharp.Modules.ParamGroup>().ToList();
        foreach (var half in new OptimizerHelper[] { _muon, _adamw })
        {
            var dict = half.state_dict();
            int index = 0;
            foreach (var group in half.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>())
                foreach (var parameter in group.Parameters)
                    _state[parameter.Handle] = dict.State[index++];
        }
    }

    /// <summary>How the factory and error messages spell AdamW's hyperparameters: <c>adamw_lr</c>, <c>adamw_eps</c>, …</summary>
    internal const string AdamWPrefix = "adamw_";

    /// <summary>Every parameter with its route and the reason, in model order.</summary>
    public IReadOnlyList<RoutedParameter> Assignments { get; }

    /// <summary>The Muon half (hidden matrices and conv filters).</summary>
    public Muon MuonPart => _muon;

    /// <summary>The AdamW half (everything else).</summary>
    public AuxAdamW AdamWPart => _adamw;

    /// <summary>A plain-text table of which parameter went where and why.</summary>
    public string RoutingTable() => ParameterRouting.Table(Assignments);

    /// <summary>Muon's momentum (AdamW's betas are set on its groups).</summary>
    public double Momentum { get => _muon.Momentum; set => _muon.Momentum = value; }

    /// <summary>One step of both halves: Muon's groups, then AdamW's.</summary>
    private protected override void UpdateParameters()
    {
        _muon.UpdateAsHalf(SkippedInThisStep);
        _adamw.UpdateAsHalf(SkippedInThisStep);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _muon.Dispose();
            _adamw.Dispose();
            _state.Clear();
        }
        base.Dispose(disposing);
    }
}
