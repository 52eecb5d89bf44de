# %% create_and_compile_model
def create_and_compile_model():
    """Builds my model."""
    # a flatten layer turns each 28x28 image into 784 numbers
    model = tf.keras.models.Sequential([tf.keras.Input(shape=(28, 28)), tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(512, activation=tf.nn.relu),  # hidden layer
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)])  # one output per digit
    # adam converges fastest in my tests
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99%."""

    def on_epoch_end(self, epoch, logs=None):
        # check the accuracy after each epoch
        if logs.get("accuracy") >= 0.99:
            print("\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True  # tells fit() to stop
# %% train_mnist
def train_mnist(training_images, training_labels):
    """Trains the model."""
    callbacks = EarlyStoppingCallback()
    model = create_and_compile_model()
    # 10 epochs at most, the callback may stop earlier
    history = model.fit(training_images, training_labels,
                        epochs=10,
                        callbacks=[callbacks])
    return history
