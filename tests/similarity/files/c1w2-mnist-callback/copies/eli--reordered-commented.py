# %% create_and_compile_model
def create_and_compile_model():
    """Return a compiled dense classifier for 28x28 images with 10 softmax outputs."""
    optimizer = tf.keras.optimizers.RMSprop()  # rmsprop works well here
    layers = [
        tf.keras.Input(shape=(28, 28)),
        tf.keras.layers.Reshape((784,)),  # same as Flatten
        tf.keras.layers.Dense(300, activation="relu"),
        tf.keras.layers.Dense(100, activation="relu"),
        tf.keras.layers.Dense(10, activation="softmax"),
    ]
    model = tf.keras.Sequential(layers)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])
    return model
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99%."""

    def on_epoch_end(self, epoch, logs=None):
        try:
            accuracy = logs["accuracy"]
        except (KeyError, TypeError):  # no logs yet
            return
        if accuracy >= 0.99:
            print("\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
# %% train_mnist
def train_mnist(training_images, training_labels):
    """Fit a new model for up to 10 epochs with the callback; return the History."""
    stop = [EarlyStoppingCallback()]
    net = create_and_compile_model()
    result = net.fit(training_images, training_labels, epochs=10, callbacks=stop, verbose=0)
    print(f"trained {len(result.epoch)} epochs")
    return result
