using System.Reflection;
using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

public sealed class OptimTests
{
    /// <summary>Each factory and the Options type whose hyperparameters it takes; the hybrid's AdamW ones are prefixed.</summary>
    public static TheoryData<string, Type, string> FactoriesAndTheirOptions() => new()
    {
        { nameof(Optim.Muon), typeof(Muon.Options), "" },
        { nameof(Optim.SpectralGD), typeof(SpectralGD.Options), "" },
        { nameof(Optim.NormMatchedGD), typeof(NormMatchedGD.Options), "" },
        { nameof(Optim.Lion), typeof(Lion.Options), "" },
        { nameof(Optim.Shampoo), typeof(Shampoo.Options), "" },
        { nameof(Optim.MuonWithAuxAdamW), typeof(Muon.Options), "" },
        { nameof(Optim.MuonWithAuxAdamW), typeof(AuxAdamW.Options), MuonWithAuxAdamW.AdamWPrefix },
    };

    [Theory]
    [MemberData(nameof(FactoriesAndTheirOptions))]
    public void Every_declared_hyperparameter_is_a_factory_argument_with_the_declared_default(string factory, Type options, string prefix)
    {
        // A hyperparameter is declared once, in its Options; the factory must expose it under the same
        // name with the same default — this is what keeps them from drifting apart (and why the hybrid
        // now has ns_method).
        var parameters = typeof(Optim).GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == factory).GetParameters();

        foreach (var declared in HyperparameterDeclaration.Of(options))
        {
            string name = prefix + declared.Name;
            if (name is "adamw_beta1" or "adamw_beta2")
            {
                Assert.Contains(parameters, p => p.Name == "adamw_betas");   // (β1, β2), null meaning the declared defaults
                continue;
            }
            var parameter = parameters.SingleOrDefault(p => p.Name == name);
            Assert.True(parameter is not null, $"Optim.{factory} has no argument {name}");
            Assert.Equal(declared.Default, parameter!.HasDefaultValue ? Convert.ChangeType(parameter.DefaultValue, declared.Type) : null);
        }
    }

    [Fact]
    public void A_factory_refuses_anything_but_parameters_named_parameters_or_its_own_groups()
    {
        using var scope = NewDisposeScope();
        var lionGroup = new Lion.ParamGroup(new[] { new Parameter(zeros(2, 2)) });

        var numbers = Assert.Throws<ArgumentException>(() => Optim.Muon(new[] { 1, 2 }));
        var otherGroups = Assert.Throws<ArgumentException>(() => Optim.Muon(new[] { lionGroup }));

        Assert.Contains("Optim.Muon takes model.parameters(), model.named_parameters() or Muon.ParamGroup objects, not a sequence of Int32", numbers.Message);
        Assert.Contains("not a sequence of ParamGroup", otherGroups.Message);
    }

    [Fact]
    public void The_hybrid_runs_Muon_with_every_Muon_option_it_is_given()
    {
        // Polar Express in float32, no Nesterov, MatchRmsAdamW: the hybrid's Muon half steps exactly as
        // Optim.Muon with the same options.
        using var scope = NewDisposeScope();
        var start = randn(new long[] { 6, 4 }, generator: new Generator(8));
        var grad = randn(new long[] { 6, 4 }, generator: new Generator(9));
        var (inHybrid, alone) = (new Parameter(start.clone()), new Parameter(start.clone()));
        var head = new Parameter(zeros(3, 6));
        var hybrid = Optim.MuonWithAuxAdamW(new[] { ("hidden.weight", inHybrid), ("head.weight", head) }, lr: 0.1, nesterov: false, ns_steps: 6,
            adjust_lr: Optim.AdjustLr.MatchRmsAdamW, ns_dtype: ScalarType.Float32, ns_method: Optim.NewtonSchulzMethod.PolarExpress);
        var muon = Optim.Muon(new[] { alone }, lr: 0.1, nesterov: false, ns_steps: 6,
            adjust_lr: Optim.AdjustLr.MatchRmsAdamW, ns_dtype: ScalarType.Float32, ns_method: Optim.NewtonSchulzMethod.PolarExpress);

        (inHybrid.grad, alone.grad, head.grad) = (grad.clone(), grad.clone(), zeros(3, 6));
        hybrid.step();
        muon.step();

        Assert.Equal(Optim.NewtonSchulzMethod.PolarExpress, hybrid.MuonPart.ParamGroups.Cast<Muon.ParamGroup>().Single().Options.ns_method);
        Assert.True(TensorAssert.Identical(inHybrid, alone));
    }
}
