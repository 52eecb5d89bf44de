"""c1w1-housing-prices: one neuron learns price = 0.5 + 0.5 * bedrooms."""
from styles.corpus import PASS, Variant

A = "c1w1-housing-prices"
DATA = "test_create_training_data"
ARCHITECTURE = "test_define_and_compile_model_architecture"
COMPILE = "test_define_and_compile_model_compile"
PREDICTION = "test_train_model_prediction"
MODEL = (ARCHITECTURE, COMPILE)
NOT_IMPLEMENTED = "not implemented"

# The 2019-21 notebook's data: two float arrays typed in by hand.
FLOAT_LISTS = """
    def create_training_data():
        xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
        ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
        n_bedrooms, price_in_hundreds_of_thousands = xs, ys
        return n_bedrooms, price_in_hundreds_of_thousands
"""


PARTIAL = {
    "create_training_data": FLOAT_LISTS,
    "define_and_compile_model": """
        def define_and_compile_model():
            # YOUR CODE HERE
            raise NotImplementedError()
            return model
    """,
    "train_model": """
        def train_model():
            # YOUR CODE HERE
            raise NotImplementedError()
            return model
    """,
}


def model_passes(**more):
    return {**dict.fromkeys(MODEL, PASS), **more}


VARIANTS = [
    # ------------------------------------------------------------------ training data
    Variant(
        "w1-data-float-literals", A,
        {"create_training_data": FLOAT_LISTS},
        {DATA: PASS},
        "the 2019-21 notebook: xs/ys typed in as np.array([...], dtype=float), float64",
    ),
    Variant(
        "w1-data-linspace-in-thousands-divided", A,
        {"create_training_data": """
            def create_training_data():
                n_bedrooms = np.linspace(1, 6, num=6)
                price_in_hundreds_of_thousands = (50_000 + 50_000 * n_bedrooms) / 100_000
                return n_bedrooms, price_in_hundreds_of_thousands
        """},
        {DATA: PASS},
        "np.linspace for the bedrooms and the price computed in dollars then scaled: float64 arrays",
    ),
    Variant(
        "w1-data-float32-comprehension", A,
        {"create_training_data": """
            def create_training_data():
                bedrooms = [b for b in range(1, 7)]
                n_bedrooms = np.array(bedrooms, dtype=np.float32)
                price_in_hundreds_of_thousands = np.array([(50 + 50 * b) / 100 for b in bedrooms], dtype=np.float32)
                return n_bedrooms, price_in_hundreds_of_thousands
        """},
        {DATA: PASS},
        "a list comprehension turned into float32 arrays (2022-24 notebooks' dtype=float32)",
    ),
    Variant(
        "w1-data-int-bedrooms", A,
        {"create_training_data": """
            def create_training_data():
                n_bedrooms = np.array([1, 2, 3, 4, 5, 6])
                price_in_hundreds_of_thousands = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
                return n_bedrooms, price_in_hundreds_of_thousands
        """},
        {DATA: "should hold floats"},
        "wrong by the task's text ('two float arrays'): bedrooms as an int array",
    ),
    Variant(
        "w1-data-python-lists", A,
        {"create_training_data": """
            def create_training_data():
                n_bedrooms = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
                price_in_hundreds_of_thousands = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
                return n_bedrooms, price_in_hundreds_of_thousands
        """},
        {DATA: "should be a numpy array"},
        "wrong by the task's text ('two float arrays'): plain Python lists",
    ),
    Variant(
        "w1-data-prices-in-thousands", A,
        {"create_training_data": """
            def create_training_data():
                n_bedrooms = np.arange(1, 7, dtype=float)
                price_in_hundreds_of_thousands = 50.0 + 50.0 * n_bedrooms
                return n_bedrooms, price_in_hundreds_of_thousands
        """},
        {DATA: "hundreds of thousands"},
        "wrong: prices in thousands (100, 150, ...) instead of hundreds of thousands",
    ),
    Variant(
        "w1-data-arange-halved", A,
        {"create_training_data": """
            def create_training_data():
                n_bedrooms = np.arange(1.0, 7.0)
                price_in_hundreds_of_thousands = (n_bedrooms + 1) / 2
                return n_bedrooms, price_in_hundreds_of_thousands
        """},
        {DATA: PASS},
        "np.arange over floats and the rule written as (bedrooms + 1) / 2",
    ),
    # ------------------------------------------------------------------ the model
    Variant(
        "w1-model-input-shape-list", A,
        {"create_training_data": FLOAT_LISTS,
         "define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])
                model.compile(optimizer='sgd', loss='mean_squared_error')
                return model
        """},
        model_passes(**{DATA: PASS}),
        "the 2019-21 notebook word for word: Dense(units=1, input_shape=[1]), 'sgd', "
        "'mean_squared_error', float data typed in; graded whole (training included)",
        end_to_end=True,
    ),
    Variant(
        "w1-model-functional", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                inputs = tf.keras.Input((1,))
                outputs = tf.keras.layers.Dense(1)(inputs)
                model = tf.keras.Model(inputs, outputs)
                model.compile(optimizer="sgd", loss="mse")
                return model
        """},
        model_passes(),
        "issue 10's example: the Functional API (InputLayer + Dense), loss spelt 'mse'; graded whole",
        end_to_end=True,
    ),
    Variant(
        "w1-model-add-sgd-instance", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.models.Sequential()
                model.add(tf.keras.layers.Input(shape=(1,)))
                model.add(tf.keras.layers.Dense(1, activation="linear"))
                model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01),
                              loss=tf.keras.losses.MeanSquaredError())
                return model
        """},
        model_passes(),
        "Sequential() + .add, tf.keras.layers.Input, an SGD instance and a MeanSquaredError() loss object",
    ),
    Variant(
        "w1-model-import-keras", A,
        {"define_and_compile_model": """
            import keras

            def define_and_compile_model():
                model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
                model.compile(optimizer=keras.optimizers.SGD(), loss=keras.losses.mean_squared_error)
                return model
        """},
        model_passes(),
        "Keras 3 style (`import keras`), the loss given as a function",
    ),
    Variant(
        "w1-model-subclassed", A,
        {"define_and_compile_model": """
            class OneNeuron(tf.keras.Model):
                def __init__(self):
                    super().__init__()
                    self.neuron = tf.keras.layers.Dense(1)

                def call(self, x):
                    return self.neuron(x)

            def define_and_compile_model():
                model = OneNeuron()
                model.compile(optimizer="sgd", loss="mean_squared_error")
                return model
        """},
        model_passes(),
        "a subclassed tf.keras.Model holding one Dense(1), never built before it is returned",
    ),
    Variant(
        "w1-model-input-dim", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_dim=1, kernel_initializer="zeros")])
                model.compile(optimizer=tf.keras.optimizers.SGD(), loss="mse")
                return model
        """},
        model_passes(),
        "the old Keras `input_dim=1` (older blog posts and Keras 2 books), weights starting at zero",
    ),
    Variant(
        "w1-model-from-tensorflow-import-keras", A,
        {"define_and_compile_model": """
            from tensorflow import keras

            def define_and_compile_model():
                model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
                model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.0),
                              loss=keras.losses.MeanSquaredError(name="mse"))
                return model
        """},
        model_passes(),
        "`from tensorflow import keras` (2020-21 notebooks), an SGD instance with explicit arguments, "
        "a named MeanSquaredError",
    ),
    Variant(
        "w1-model-dropout-reshape-pass-through", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Reshape((1,)),
                                             tf.keras.layers.Dense(1)])
                model.compile(optimizer="sgd", loss="mean_squared_error")
                return model
        """},
        model_passes(),
        "a Reshape layer that computes nothing in front of the neuron: still a single Dense layer",
    ),
    Variant(
        "w1-model-two-dense-layers", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.Sequential([tf.keras.Input(shape=(1,)),
                                             tf.keras.layers.Dense(8),
                                             tf.keras.layers.Dense(1)])
                model.compile(optimizer="sgd", loss="mean_squared_error")
                return model
        """},
        {ARCHITECTURE: "single Dense layer", COMPILE: PASS},
        "wrong by the task's text (a single Dense layer with one unit): a hidden layer added",
    ),
    Variant(
        "w1-model-adam", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
                model.compile(optimizer="adam", loss="mean_squared_error")
                return model
        """},
        {ARCHITECTURE: PASS, COMPILE: "stochastic gradient descent"},
        "wrong by the task's text (optimizer='sgd'): Adam",
    ),
    Variant(
        "w1-model-lr-argument", A,
        {"define_and_compile_model": """
            def define_and_compile_model():
                model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])
                model.compile(optimizer=tf.keras.optimizers.SGD(lr=0.01), loss="mean_squared_error")
                return model
        """},
        {DATA: PASS, ARCHITECTURE: "`lr=`", COMPILE: "`lr=`"},
        "removed API (2019 notebooks): SGD(lr=...) fails the model's parts with the learning_rate= fix, "
        "not the data part",
    ),
    # ------------------------------------------------------------------ partial work
    Variant(
        "w1-partial-data-only", A,
        PARTIAL,
        {DATA: PASS, ARCHITECTURE: NOT_IMPLEMENTED, COMPILE: NOT_IMPLEMENTED},
        "partial work: only part 1 written; it keeps its point, the model's parts say they are not implemented",
    ),
    Variant(
        "w1-partial-data-only-graded", A,
        PARTIAL,
        {ARCHITECTURE: NOT_IMPLEMENTED, COMPILE: NOT_IMPLEMENTED, PREDICTION: NOT_IMPLEMENTED},
        "partial work graded whole: the prediction part fails because the training cell's call of "
        "train_model is not implemented, and must say that (not 'trained_model is not defined')",
        end_to_end=True, direct=False,
    ),
    # ------------------------------------------------------------------ training
    Variant(
        "w1-train-1000-epochs", A,
        {"train_model": """
            def train_model():
                xs, ys = create_training_data()
                model = define_and_compile_model()
                history = model.fit(x=xs, y=ys, epochs=1000, batch_size=6, verbose=0)
                print(f"final loss {history.history['loss'][-1]:.5f}")
                return model
        """},
        {PREDICTION: PASS},
        "more epochs than the notebook suggests (the 2019 notebook's epochs=1000), fit with x=/y= "
        "keywords and one batch of 6: the prediction is right, so it passes",
        end_to_end=True, direct=False,
    ),
    Variant(
        "w1-train-far-too-long", A,
        {"train_model": """
            def train_model():
                xs, ys = create_training_data()
                model = define_and_compile_model()
                model.fit(xs, ys, epochs=500_000)
                return model
        """},
        {PREDICTION: "time limit"},
        "far more epochs than asked for, with the progress bar on (a learner's 5000 becomes this on a fast "
        "machine): the training cell hits its time limit, and the prediction part must say so (issue 10), "
        "not 'trained_model is not defined'",
        end_to_end=True, direct=False,
    ),
]
