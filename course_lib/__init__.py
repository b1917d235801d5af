"""course_lib: the reference code, explorers, checks and grader of "Training Neural Networks".

Read it module by module; each module is about one idea of the lecture:

    data            data sets: synthetic generators and the 8x8 digits
    nn              layers and losses as forward/backward pairs, the MLP
    graph           the scalar computational graph (forward, simple backprop)
    gradcheck       finite-difference gradient checking
    generalization  polynomial / ridge / random-features models, splits
    estimators      variance estimators, Monte Carlo bias, Gaussian MLE
    optimizers      SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam
    schedules       learning-rate schedules
    landscapes      2-D test functions and optimizer trajectories
    training        the minibatch training loop
    explorers       the widgets of each notebook
    exercises       the registry of graded exercises
    checking        check(): the in-notebook report
    release         solutions/ -> notebooks/
    grading         the autograder (course-grade)
"""

__version__ = "0.1.0"
