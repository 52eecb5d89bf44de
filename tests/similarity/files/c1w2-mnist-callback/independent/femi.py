# %% create_and_compile_model
def create_and_compile_model():
    """Return a compiled dense classifier for 28x28 images with 10 softmax outputs."""
    # YOUR CODE HERE
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(28, 28)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(units=392, activation=tf.keras.activations.relu),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.Dense(units=10, activation=tf.keras.activations.softmax),
        ],
        name="digits",
    )
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99%."""

    TARGET = 0.99

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        if logs and logs.get("accuracy", 0.0) >= self.TARGET:
            self.model.stop_training = True
            print("\nReached 99% accuracy so cancelling training!")
# %% train_mnist
def train_mnist(training_images, training_labels):
    """Fit a new model for up to 10 epochs with the callback; return the History."""
    # YOUR CODE HERE
    model = create_and_compile_model()
    history = model.fit(training_images, training_labels, batch_size=64, epochs=10,
                        callbacks=[EarlyStoppingCallback()], verbose=2)
    return history
