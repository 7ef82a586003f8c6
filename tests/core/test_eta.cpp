// The training ETA: steps and validations timed apart, so it is right from the first
// validation on (the study validates 100 episodes every 9 iterations).
#include "core/engine/eta.h"

#include <gtest/gtest.h>

using maml::EtaEstimator;

TEST(Eta, CountsTheValidationsLeftIncludingTheFinalOne)
{
    EtaEstimator e(2700, 9);
    EXPECT_EQ(e.validationsLeft(0), 300);
    EXPECT_EQ(e.validationsLeft(9), 299);
    EXPECT_EQ(e.validationsLeft(2699), 1);
    EXPECT_EQ(e.validationsLeft(2700), 0);
    EtaEstimator odd(10, 4); // at 4, 8 and the end
    EXPECT_EQ(odd.validationsLeft(0), 3);
    EXPECT_EQ(odd.validationsLeft(8), 1);
}

TEST(Eta, SettlesAtTheFirstValidationAndLeavesTheWarmUpOut)
{
    // The study's shape: 3.5 s a step (the first, with allocations, 9 s), 30 s a validation.
    EtaEstimator e(2700, 9);
    e.addStep(9.0);
    EXPECT_DOUBLE_EQ(e.secondsPerStep(), 9.0); // nothing better known yet
    for (int i = 2; i <= 9; ++i)
        e.addStep(3.5);
    EXPECT_DOUBLE_EQ(e.secondsPerStep(), 3.5);
    EXPECT_NEAR(e.remainingSeconds(9), 2691 * 3.5, 1e-6); // no validation measured yet
    e.addValidation(30.0);
    const double exact = 2691 * 3.5 + 299 * 30.0;
    EXPECT_NEAR(e.remainingSeconds(9), exact, 1e-6);
    // A plain rate over the first 9 iterations and one validation is still 9% off.
    const double plainRate = 9.0 / (9.0 + 8 * 3.5 + 30.0);
    EXPECT_GT(std::abs(2691 / plainRate - exact), 0.05 * exact);
}

TEST(Eta, FollowsTheRecentStepsWhenTheMachineGetsSlower)
{
    EtaEstimator e(1000, 100);
    e.addStep(1.0);
    for (int i = 0; i < 100; ++i)
        e.addStep(1.0);
    for (int i = 0; i < 50; ++i)
        e.addStep(2.0); // another program starts
    EXPECT_DOUBLE_EQ(e.secondsPerStep(), 2.0);
}
